"""Trains the demo GPT-2 pair shipped in models/: a small target and a shallow draft distilled from it.

Real GPT-2 weights cannot be fetched in this environment, so the pair is made the way DistilGPT2 was made
from GPT-2: train a target, initialise a student from evenly spaced target layers, then distil. Every figure
the models' README quotes is written to work/report.json by this script.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast, AutoModelForCausalLM

EOS = 50256
SEED = 1234
HELDOUT_DOCS = 20
KJV_FRACTION = 0.1  # share of training sequences drawn from the KJV stream; Brown is the core
CE_CHUNK = 512      # rows of hidden states turned into logits at a time
TEMPERATURE = 2.0
DISTIL_ALPHA = 0.5  # weight of the KL term; the rest is the ordinary LM loss
PROMPTS = [
    "In a distant future, AI and humans",
    "The jury said",
    "In the beginning",
    "The president of the United States",
    "She opened the door and",
]

LOG = None


def log(message):
    line = time.strftime("%H:%M:%S ") + message
    print(line, flush=True)
    LOG.write(line + "\n")
    LOG.flush()


# ---------------------------------------------------------------- corpus

NO_SPACE_BEFORE = {",", ".", ";", ":", "?", "!", ")", "]", "}", "'", "''", "n't", "'s", "'re", "'ll", "'d", "'m", "'ve"}
NO_SPACE_AFTER = {"(", "[", "{", "``", "`", "$"}


def brown_words(line):
    words = []
    for token in line.split():
        word = token.rsplit("/", 1)[0] if "/" in token else token
        words.append(word)
    return words


def detokenize(words):
    """Rebuilds readable text from Brown's word tokens (quotes are `` and '')."""
    out = []
    glue_next = True
    for word in words:
        shown = {"``": '"', "''": '"', "`": "'"}.get(word, word)
        if not out or glue_next or word in NO_SPACE_BEFORE:
            out.append(shown)
        else:
            out.append(" " + shown)
        glue_next = word in NO_SPACE_AFTER
    return "".join(out)


def read_brown(folder):
    """Returns {document id: [paragraph text, ...]} for the 500 Brown documents."""
    documents = {}
    for path in sorted(folder.iterdir()):
        if not re.fullmatch(r"c[a-r]\d\d", path.name):
            continue
        paragraphs = []
        for block in re.split(r"\n\s*\n", path.read_text(encoding="latin-1")):
            sentences = [detokenize(brown_words(line)) for line in block.splitlines() if line.strip()]
            if sentences:
                paragraphs.append(" ".join(sentences))
        documents[path.name] = paragraphs
    return documents


def read_kjv(path):
    """Returns one text per chapter from the `bible` program's dump, verse numbers removed."""
    chapters, verses, current = [], [], None
    for line in path.read_text(encoding="latin-1").splitlines():
        if not line.strip():
            continue
        if re.match(r"^\S.* \d+$", line) and not line.startswith(" "):
            if verses:
                chapters.append(" ".join(verses))
            verses = []
            continue
        match = re.match(r"^\s+\d+ (.*)$", line)
        if match:
            verses.append(match.group(1).strip())
        elif verses:
            verses[-1] += " " + line.strip()
    if verses:
        chapters.append(" ".join(verses))
    return chapters


def token_stream(tokenizer, documents):
    ids = []
    for text in documents:
        ids.extend(tokenizer(text)["input_ids"])
        ids.append(EOS)
    return torch.tensor(ids, dtype=torch.long)


# ---------------------------------------------------------------- chunked losses

class ChunkedLoss(torch.autograd.Function):
    """Mean LM (and optionally distillation) loss over the tied output layer, [rows x vocab] a chunk at a time.

    The gradients for the hidden states and the output matrix are computed in the forward pass chunk by
    chunk, so no full [tokens x 50257] logit matrix is ever held, and nothing has to be recomputed later.
    """

    @staticmethod
    def forward(ctx, hidden, weight, targets, teacher_hidden, teacher_weight, alpha, temperature):
        # Logits stay in bf16 as they would under autocast; every row sum is accumulated in fp32.
        rows = hidden.shape[0]
        w16 = weight.to(torch.bfloat16)
        tw16 = None if teacher_hidden is None else teacher_weight.to(torch.bfloat16)
        grad_hidden = torch.empty(hidden.shape, dtype=torch.float32)
        grad_weight = torch.zeros(weight.shape, dtype=torch.float32)
        total_ce = 0.0
        total_kl = 0.0
        for start in range(0, rows, CE_CHUNK):
            h = hidden[start:start + CE_CHUNK].to(torch.bfloat16)
            y = targets[start:start + CE_CHUNK]
            logits = h @ w16.t()
            lse = torch.logsumexp(logits, dim=-1, keepdim=True).float()
            total_ce += (lse.squeeze(1) - logits.gather(1, y[:, None]).squeeze(1).float()).sum().item()
            if tw16 is not None:
                t_scaled = (teacher_hidden[start:start + CE_CHUNK].to(torch.bfloat16) @ tw16.t()).div_(temperature)
                s_scaled = logits / temperature
                t_lse = torch.logsumexp(t_scaled, dim=-1, keepdim=True).float()
                s_lse = torch.logsumexp(s_scaled, dim=-1, keepdim=True).float()
                # KL(p_t || q) per row = sum p_t * (t - s) - t_lse + s_lse, because sum p_t = 1
                t_p = (t_scaled - t_lse.to(torch.bfloat16)).exp_()
                cross = (t_p * (t_scaled - s_scaled)).sum(-1, dtype=torch.float32)
                total_kl += ((cross - t_lse.squeeze(1) + s_lse.squeeze(1)).sum() * temperature ** 2).item()
                student_q = s_scaled.sub_(s_lse.to(torch.bfloat16)).exp_()
            grad_logits = logits.sub_(lse.to(torch.bfloat16)).exp_()
            grad_logits[torch.arange(len(y)), y] -= 1.0
            if tw16 is not None:
                # d/dz of T^2 * KL(p_t || softmax(z/T)) is T * (softmax(z/T) - p_t)
                grad_logits.mul_(1.0 - alpha).add_(student_q.sub_(t_p), alpha=alpha * temperature)
            grad_hidden[start:start + CE_CHUNK] = (grad_logits @ w16).float()
            grad_weight.add_((grad_logits.t() @ h).float())
        grad_hidden /= rows
        grad_weight /= rows
        ctx.save_for_backward(grad_hidden.to(hidden.dtype), grad_weight.to(weight.dtype))
        ce = total_ce / rows
        kl = total_kl / rows
        loss = ce if tw16 is None else (1.0 - alpha) * ce + alpha * kl
        return torch.tensor(loss), torch.tensor(ce), torch.tensor(kl)

    @staticmethod
    def backward(ctx, grad_loss, _grad_ce, _grad_kl):
        grad_hidden, grad_weight = ctx.saved_tensors
        return grad_hidden * grad_loss, grad_weight * grad_loss, None, None, None, None, None


def hidden_states(model, input_ids):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        return model.transformer(input_ids=input_ids).last_hidden_state


# ---------------------------------------------------------------- models

def target_config(args):
    return GPT2Config(vocab_size=50257, n_positions=1024, n_embd=args.n_embd, n_layer=args.n_layer,
                      n_head=args.n_head, activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0,
                      attn_pdrop=0.0, bos_token_id=EOS, eos_token_id=EOS, tie_word_embeddings=True)


def draft_from_target(target, layers):
    """A student of `layers` blocks taken from evenly spaced target layers, starting at layer 0."""
    stride = target.config.n_layer // layers
    config = GPT2Config(**{**target.config.to_dict(), "n_layer": layers})
    config.tie_word_embeddings = True
    draft = GPT2LMHeadModel(config)
    draft.transformer.wte.load_state_dict(target.transformer.wte.state_dict())
    draft.transformer.wpe.load_state_dict(target.transformer.wpe.state_dict())
    draft.transformer.ln_f.load_state_dict(target.transformer.ln_f.state_dict())
    for i in range(config.n_layer):
        draft.transformer.h[i].load_state_dict(target.transformer.h[stride * i].state_dict())
    draft.tie_weights()
    return draft


def optimizer_for(model, lr):
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and p.requires_grad]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 and p.requires_grad]
    return torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.95), eps=1e-8)


def lr_at(progress, peak, warmup=0.04):
    """Linear warm-up over the first 4% of training, then cosine decay to a tenth of the peak."""
    if progress < warmup:
        return peak * max(progress, 0.002) / warmup
    progress = min(1.0, (progress - warmup) / (1.0 - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


class Batches:
    """Random windows of seq+1 tokens; each row comes from KJV with probability kjv_fraction."""

    def __init__(self, brown, kjv, batch, seq, kjv_fraction, seed):
        self.brown, self.kjv, self.batch, self.seq, self.kjv_fraction = brown, kjv, batch, seq, kjv_fraction
        self.generator = torch.Generator().manual_seed(seed)

    def next(self):
        rows = []
        for _ in range(self.batch):
            use_kjv = self.kjv is not None and torch.rand((), generator=self.generator).item() < self.kjv_fraction
            stream = self.kjv if use_kjv else self.brown
            start = torch.randint(0, len(stream) - self.seq - 1, (), generator=self.generator).item()
            rows.append(stream[start:start + self.seq + 1])
        block = torch.stack(rows)
        return block[:, :-1].contiguous(), block[:, 1:].reshape(-1).contiguous()


class ContinuationBatches:
    """Rows half from `corpus` (a Batches) and half from a fixed pool of the target's own continuations."""

    def __init__(self, corpus, pool, seed):
        self.corpus, self.pool = corpus, pool
        self.generator = torch.Generator().manual_seed(seed)

    def next(self):
        x, y = self.corpus.next()
        half = x.shape[0] // 2
        rows = self.pool[torch.randint(0, self.pool.shape[0], (x.shape[0] - half,), generator=self.generator)]
        x = torch.cat([x[:half], rows[:, :-1]])
        y = torch.cat([y.view(x.shape[0], -1)[:half], rows[:, 1:]]).reshape(-1)
        return x.contiguous(), y.contiguous()


@torch.no_grad()
def target_continuations(target, stream, count, prompt_tokens, seq, seed):
    """`count` rows of seq + 1 tokens: a random corpus window of `prompt_tokens`, then the target's greedy
    continuation (end-of-text suppressed, so every row is full length)."""
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, len(stream) - prompt_tokens, (count,), generator=generator)
    prompts = torch.stack([stream[s:s + prompt_tokens] for s in starts.tolist()])
    new = seq + 1 - prompt_tokens
    rows = []
    for chunk in prompts.split(64):
        rows.append(target.generate(input_ids=chunk, attention_mask=torch.ones_like(chunk), do_sample=False,
                                    max_new_tokens=new, min_new_tokens=new, pad_token_id=EOS))
    return torch.cat(rows)


def train(name, model, batches, peak_lr, budget_s, fixed_steps, teacher=None, alpha=0.0, max_s=None):
    """Trains for fixed_steps, or else for budget_s seconds with the schedule driven by elapsed time.

    The machine is shared with other jobs, so throughput swings; a time-driven schedule always ends on
    time with a complete cosine decay. The step count reached is reported so a run can be replayed with
    fixed steps.
    """
    model.train()
    optimizer = optimizer_for(model, peak_lr)
    started = time.time()
    last_log = started
    tokens = 0
    step = 0
    ema = None
    stopped_early = False
    while True:
        elapsed = time.time() - started
        progress = step / fixed_steps if fixed_steps else elapsed / budget_s
        if progress >= 1.0:
            break
        if max_s is not None and elapsed > max_s:
            log(f"[{name}] stopping early at step {step}/{fixed_steps}: over the {max_s / 60:.0f} min cap")
            stopped_early = True
            break
        for group in optimizer.param_groups:
            group["lr"] = lr_at(progress, peak_lr)
        x, y = batches.next()
        hidden = hidden_states(model, x).reshape(-1, model.config.n_embd)
        teacher_hidden = None
        if teacher is not None:
            with torch.no_grad():
                teacher_hidden = hidden_states(teacher, x).reshape(-1, teacher.config.n_embd)
        loss, ce, kl = ChunkedLoss.apply(hidden, model.transformer.wte.weight, y, teacher_hidden,
                                         None if teacher is None else teacher.transformer.wte.weight,
                                         alpha, TEMPERATURE)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        step += 1
        tokens += y.numel()
        ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
        now = time.time()
        if now - last_log >= 30:
            last_log = now
            elapsed = now - started
            if fixed_steps:
                eta = (fixed_steps - step) * elapsed / step
            else:
                eta = budget_s - elapsed
            log(f"[{name}] step {step}{'/' + str(fixed_steps) if fixed_steps else ''} loss {loss.item():.4f} "
                f"(ema {ema:.4f}, ce {ce.item():.4f}, kl {kl.item():.4f}) lr {optimizer.param_groups[0]['lr']:.2e} "
                f"{tokens / elapsed:.0f} tok/s elapsed {elapsed / 60:.1f} min ETA {eta / 60:.1f} min")
    elapsed = time.time() - started
    log(f"[{name}] finished: {step} steps, {tokens} tokens in {elapsed / 60:.1f} min, loss ema {ema:.4f}")
    model.eval()
    return {"steps": step, "fixed_steps": fixed_steps, "stopped_early": stopped_early,
            "seconds": round(elapsed, 1), "tokens": tokens, "tokens_per_second": round(tokens / elapsed, 1),
            "final_loss_ema": round(ema, 4)}


# ---------------------------------------------------------------- evaluation

@torch.no_grad()
def evaluate(models, stream, seq, max_tokens):
    """Perplexity of each model and greedy agreement of each with the first (the target)."""
    n = min(len(stream) - 1, max_tokens) // seq * seq
    x = stream[:n].view(-1, seq)
    y = stream[1:n + 1].view(-1, seq)
    nll = {name: 0.0 for name in models}
    agree = {name: 0 for name in models}
    count = 0
    for row in range(0, x.shape[0], 8):
        xb, yb = x[row:row + 8], y[row:row + 8].reshape(-1)
        argmaxes = {}
        for name, model in models.items():
            h = hidden_states(model, xb).reshape(-1, model.config.n_embd).float()
            w = model.transformer.wte.weight.float()
            for start in range(0, h.shape[0], CE_CHUNK):
                logits = h[start:start + CE_CHUNK] @ w.t()
                nll[name] += F.cross_entropy(logits, yb[start:start + CE_CHUNK], reduction="sum").item()
                argmaxes.setdefault(name, []).append(logits.argmax(-1))
        reference = torch.cat(argmaxes[next(iter(models))])
        for name in models:
            agree[name] += (torch.cat(argmaxes[name]) == reference).sum().item()
        count += yb.numel()
    return {name: {"perplexity": round(math.exp(nll[name] / count), 3), "loss": round(nll[name] / count, 4),
                   "greedy_agreement_with_target": round(agree[name] / count, 4)} for name in models} | {
        "eval_tokens": count}


def save(model, tokenizer, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        if stale.is_file():
            stale.unlink()
    model.generation_config.bos_token_id = EOS
    model.generation_config.eos_token_id = EOS
    model.generation_config.pad_token_id = EOS
    half = GPT2LMHeadModel(model.config)
    half.load_state_dict(model.state_dict())
    half.generation_config = model.generation_config
    half.half().save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    # Compact JSON keeps the pair (weights plus tokenizer files) under the 80 MB the project allows.
    compact = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    (folder / "tokenizer.json").write_text(json.dumps(compact, ensure_ascii=False, separators=(",", ":")),
                                           encoding="utf-8")
    # transformers 5 writes only tokenizer.json; readers that expect the classic GPT-2 files get them too.
    for name in ("vocab.json", "merges.txt"):
        shutil.copy(Path(tokenizer.name_or_path) / name, folder / name)
    special = {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>",
               "pad_token": "<|endoftext|>"}
    (folder / "special_tokens_map.json").write_text(json.dumps(special, indent=2) + "\n")


def main():
    global LOG
    parser = argparse.ArgumentParser()
    parser.add_argument("--brown", type=Path, required=True, help="folder of Brown files ca01..cr09")
    parser.add_argument("--kjv", type=Path, required=True, help="plain-text dump of the KJV bible")
    parser.add_argument("--tokenizer", type=Path, required=True, help="folder with vocab.json and merges.txt")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True, help="output folder (repo's models/)")
    parser.add_argument("--n-layer", type=int, default=8)
    parser.add_argument("--n-embd", type=int, default=256)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--draft-layers", type=int, default=2,
                        help="student depth; its blocks start from evenly spaced target layers")
    parser.add_argument("--reuse-target", action="store_true",
                        help="load work/target.pt and its figures from work/report.json instead of training")
    parser.add_argument("--seq", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--target-minutes", type=float, default=33)
    parser.add_argument("--distil-minutes", type=float, default=20)
    parser.add_argument("--alone-max-minutes", type=float, default=11)
    parser.add_argument("--policy-minutes", type=float, default=10,
                        help="distillation continued on half corpus rows, half the target's own continuations")
    parser.add_argument("--policy-rows", type=int, default=512, help="size of the pool of target continuations")
    parser.add_argument("--reuse-distilled", action="store_true",
                        help="load work/draft-distilled.pt, work/draft-alone.pt and their figures from work/report.json "
                             "instead of training them")
    parser.add_argument("--target-steps", type=int, help="fixed step count instead of the timed budget")
    parser.add_argument("--distil-steps", type=int, help="fixed step count instead of the timed budget")
    parser.add_argument("--eval-tokens", type=int, default=40960)
    args = parser.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    random.seed(SEED)
    args.work.mkdir(parents=True, exist_ok=True)
    LOG = open(args.work / "train.log", "a")
    wall_start = time.time()
    report = {"seed": SEED, "kjv_fraction": KJV_FRACTION, "temperature": TEMPERATURE, "distil_alpha": DISTIL_ALPHA,
              "seq": args.seq, "batch": args.batch, "threads": torch.get_num_threads()}

    tokenizer = GPT2TokenizerFast.from_pretrained(args.tokenizer)
    tokenizer.model_max_length = 1024
    tokenizer.pad_token = tokenizer.eos_token
    assert tokenizer.eos_token_id == EOS, tokenizer.eos_token_id

    brown = read_brown(args.brown)
    ids = sorted(brown)
    heldout_ids = sorted(random.Random(SEED).sample(ids, HELDOUT_DOCS))
    train_ids = [d for d in ids if d not in heldout_ids]
    kjv = read_kjv(args.kjv)
    brown_train = token_stream(tokenizer, ["\n".join(brown[d]) for d in train_ids])
    brown_heldout = token_stream(tokenizer, ["\n".join(brown[d]) for d in heldout_ids])
    kjv_stream = token_stream(tokenizer, kjv)
    report["corpus"] = {"brown_documents": len(ids), "heldout_documents": heldout_ids,
                        "brown_train_tokens": len(brown_train), "brown_heldout_tokens": len(brown_heldout),
                        "kjv_chapters": len(kjv), "kjv_tokens": len(kjv_stream)}
    log(f"corpus: {json.dumps(report['corpus'])}")
    (args.work / "brown-sample.txt").write_text("\n".join(brown[train_ids[0]][:5]) + "\n")

    prompts = []
    paragraphs = [p for d in heldout_ids for p in brown[d] if len(p.split()) >= 20]
    random.Random(SEED).shuffle(paragraphs)
    for paragraph in paragraphs[:40]:
        prompts.append(" ".join(paragraph.split()[:16]))
    args.models.mkdir(parents=True, exist_ok=True)
    (args.models / "heldout-prompts.txt").write_text("\n".join(prompts) + "\n")

    target = GPT2LMHeadModel(target_config(args))
    report["target_parameters"] = sum(p.numel() for p in target.parameters())
    log(f"target: {report['target_parameters']} parameters")
    # Figures of the phases a run reuses come from the report of the run that trained them.
    earlier = json.loads((args.work / "report.json").read_text()) if args.reuse_target or args.reuse_distilled else {}
    if args.reuse_target:
        target.load_state_dict(torch.load(args.work / "target.pt"))
        target.eval()
        report["target_training"] = earlier["target_training"] | {"reused_from_earlier_run": True}
        log("target: reused work/target.pt")
    else:
        batches = Batches(brown_train, kjv_stream, args.batch, args.seq, KJV_FRACTION, SEED)
        report["target_training"] = train("target", target, batches, 1.5e-3, args.target_minutes * 60,
                                          args.target_steps, max_s=args.target_minutes * 60 * 1.15)
        torch.save(target.state_dict(), args.work / "target.pt")

    for p in target.parameters():
        p.requires_grad_(False)
    initial = draft_from_target(target, args.draft_layers)
    torch.save(initial.state_dict(), args.work / "draft-init.pt")
    report["draft_parameters"] = sum(p.numel() for p in initial.parameters())

    distilled = draft_from_target(target, args.draft_layers)
    if args.reuse_distilled:
        distilled.load_state_dict(torch.load(args.work / "draft-distilled.pt"))
        report["distil_training"] = earlier["distil_training"] | {"reused_from_earlier_run": True}
        log("distil: reused work/draft-distilled.pt")
    else:
        distil_batches = Batches(brown_train, kjv_stream, args.batch, args.seq, KJV_FRACTION, SEED + 1)
        report["distil_training"] = train("distil", distilled, distil_batches, 1e-3, args.distil_minutes * 60,
                                          args.distil_steps, teacher=target, alpha=DISTIL_ALPHA,
                                          max_s=args.distil_minutes * 60 * 1.15)
        torch.save(distilled.state_dict(), args.work / "draft-distilled.pt")

    # Speculative decoding drafts against the target's own output, which (for a model this weak) loops
    # in ways corpus text does not: a last phase shows the student those continuations too.
    log(f"policy: generating {args.policy_rows} target continuations")
    pool = target_continuations(target, brown_train, args.policy_rows, 32, args.seq, SEED + 2)
    policy = draft_from_target(target, args.draft_layers)
    policy.load_state_dict(distilled.state_dict())
    policy_batches = ContinuationBatches(Batches(brown_train, kjv_stream, args.batch, args.seq, KJV_FRACTION,
                                                 SEED + 3), pool, SEED + 4)
    report["policy_training"] = train("policy", policy, policy_batches, 3e-4, args.policy_minutes * 60, None,
                                      teacher=target, alpha=DISTIL_ALPHA, max_s=args.policy_minutes * 60 * 1.15)
    torch.save(policy.state_dict(), args.work / "draft-policy.pt")

    alone = draft_from_target(target, args.draft_layers)
    if args.reuse_distilled:
        alone.load_state_dict(torch.load(args.work / "draft-alone.pt"))
        report["alone_training"] = earlier["alone_training"] | {"reused_from_earlier_run": True}
    else:
        alone_batches = Batches(brown_train, kjv_stream, args.batch, args.seq, KJV_FRACTION, SEED + 1)
        report["alone_training"] = train("alone", alone, alone_batches, 1e-3, 0, report["distil_training"]["steps"],
                                         max_s=args.alone_max_minutes * 60)
        torch.save(alone.state_dict(), args.work / "draft-alone.pt")

    log("evaluating on held-out Brown")
    report["heldout"] = evaluate({"target": target, "draft_policy": policy, "draft_distilled": distilled,
                                  "draft_alone": alone, "draft_init": initial}, brown_heldout, args.seq,
                                 args.eval_tokens)
    log(f"held-out: {json.dumps(report['heldout'])}")
    heldout_pool = target_continuations(target, brown_heldout, 64, 32, args.seq, SEED + 5)
    report["target_continuations"] = evaluate({"target": target, "draft_policy": policy, "draft_distilled": distilled,
                                               "draft_alone": alone}, heldout_pool.reshape(-1), args.seq + 1,
                                              heldout_pool.numel())
    log(f"target continuations of held-out prompts: {json.dumps(report['target_continuations'])}")

    if not args.reuse_target:
        save(target, tokenizer, args.models / "demo-target")
    save(policy, tokenizer, args.models / "demo-draft")
    report["sizes_bytes"] = {name: sum(f.stat().st_size for f in (args.models / name).iterdir())
                             for name in ("demo-target", "demo-draft")}
    report["files"] = {name: sorted(f.name for f in (args.models / name).iterdir())
                       for name in ("demo-target", "demo-draft")}

    continuations = {}
    for name in ("demo-target", "demo-draft"):
        folder = args.models / name
        reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        reloaded_tokenizer = GPT2TokenizerFast.from_pretrained(folder)
        continuations[name] = {}
        for prompt in PROMPTS + prompts[:2]:
            encoded = reloaded_tokenizer(prompt, return_tensors="pt")
            with torch.no_grad():
                out = reloaded.generate(**encoded, max_new_tokens=30, do_sample=False, pad_token_id=EOS)
            continuations[name][prompt] = reloaded_tokenizer.decode(out[0][encoded["input_ids"].shape[1]:])
            log(f"[{name}] {prompt!r} -> {continuations[name][prompt]!r}")
    report["greedy_continuations"] = continuations
    report["wall_seconds"] = round(time.time() - wall_start, 1)
    (args.work / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    log(f"done in {report['wall_seconds'] / 60:.1f} min; report in {args.work / 'report.json'}")


if __name__ == "__main__":
    main()
