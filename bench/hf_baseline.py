#!/usr/bin/env python3
"""Transformers' own greedy and assisted generation, measured the way `specdec bench` measures specdec.

Runs `generate` greedily and with `assistant_model=` (transformers' speculative "assisted generation")
on the same model folders, prompts, token counts and number of threads as the Java benchmark: after a
warm-up, several interleaved repeats (every configuration once per repeat, so load from other processes
hits all alike), medians with min and max. Assisted generation is checked token for token against
greedy output of the same precision, and its acceptance is read from the candidate generator's
`update_candidate_strategy(num_matches)` calls, the only place transformers exposes it.

Prints one JSON object (and writes it to --out). Used by bench/compare.sh.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

# OpenMP threads spin while they wait for work; on a machine shared with other jobs that makes torch 5-10x
# slower whenever another process holds a core. Passive waiting keeps transformers at its best there, so the
# comparison errs in its favour. Must be set before torch starts its thread pool.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402
from transformers.generation.candidate_generator import AssistedCandidateGenerator  # noqa: E402

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
BUILT_IN_PROMPTS = [  # the same four as `specdec bench`
    "In a distant future, AI and humans",
    "The jury said",
    "In the beginning",
    "She opened the door and",
]


class Verifications:
    """Counts what assisted generation proposes and keeps, by wrapping the candidate generator's update hook."""

    def __init__(self):
        self.reset()
        original = AssistedCandidateGenerator.update_candidate_strategy
        counter = self

        def recording(generator, input_ids, scores, num_matches):
            counter.passes += 1
            counter.proposed += scores.shape[1] - 1
            counter.accepted += int(num_matches)
            return original(generator, input_ids, scores, num_matches)

        AssistedCandidateGenerator.update_candidate_strategy = recording

    def reset(self):
        self.passes = 0
        self.proposed = 0
        self.accepted = 0


class ForwardCounter:
    """Counts forward calls of a model (its draft passes, for an assistant)."""

    def __init__(self, model):
        self.calls = 0
        model.register_forward_pre_hook(self._count)

    def _count(self, module, args):
        self.calls += 1


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def load(folder, dtype):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=DTYPES[dtype]).eval()
    return model


def generation_config(model, n, ignore_eos):
    config = model.generation_config.__class__.from_dict(model.generation_config.to_dict())
    config.max_new_tokens = n
    config.do_sample = False
    config.num_beams = 1
    config.pad_token_id = model.config.eos_token_id
    if ignore_eos:
        config.eos_token_id = None
    return config


def configure_assistant(assistant, k):
    """k tokens per draft, fixed, when k is a number; transformers' shipped defaults when k is 'default'."""
    gc = assistant.generation_config
    if k == "default":
        gc.num_assistant_tokens = 20
        gc.num_assistant_tokens_schedule = "constant"
        gc.assistant_confidence_threshold = 0.4
    else:
        gc.num_assistant_tokens = int(k)
        gc.num_assistant_tokens_schedule = "constant"
        gc.assistant_confidence_threshold = 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=Path, help="target model folder")
    parser.add_argument("--draft", type=Path, help="assistant (draft) model folder; without it only greedy runs")
    parser.add_argument("--prompt", action="append", help="a prompt; repeat for several (default: the four built-in)")
    parser.add_argument("--prompts-file", type=Path, help="one prompt per non-empty line")
    parser.add_argument("-n", "--max-new-tokens", type=int, default=64)
    parser.add_argument("--dtypes", default="f32", help="greedy in these precisions, comma-separated (f32,bf16,f16)")
    parser.add_argument("--assisted-dtype", default="f32", help="precision of target and assistant when assisted")
    parser.add_argument("--k-values", default="4", help="assistant tokens per draft, comma-separated; 'default' "
                        "adds transformers' shipped setting (20 tokens, confidence threshold 0.4)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default: 2)")
    parser.add_argument("--ignore-eos", action="store_true", help="generate exactly n tokens, past end-of-text")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    transformers.utils.logging.disable_progress_bar()
    # Assisted generation passes its own length arguments next to our generation_config and warns about it.
    transformers.utils.logging.set_verbosity_error()
    if args.prompt and args.prompts_file:
        parser.error("give either --prompt or --prompts-file, not both")
    if args.prompts_file:
        prompts = [line.strip() for line in args.prompts_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        prompts = args.prompt or BUILT_IN_PROMPTS
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    encoded = [torch.tensor([tokenizer(p)["input_ids"]]) for p in prompts]

    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    models = {d: load(args.model, d) for d in dtypes}
    if args.assisted_dtype not in models and args.draft:
        models[args.assisted_dtype] = load(args.model, args.assisted_dtype)
    assistant = load(args.draft, args.assisted_dtype) if args.draft else None
    assistant_forwards = ForwardCounter(assistant) if assistant is not None else None
    verifications = Verifications()

    # (name, dtype, k): greedy per precision, then assisted per k, interleaved within each repeat.
    configs = [("greedy", d, None) for d in dtypes]
    if args.draft:
        configs += [("assisted", args.assisted_dtype, k.strip()) for k in args.k_values.split(",") if k.strip()]

    def run(config, ids, n):
        name, dtype, k = config
        model = models[dtype]
        gc = generation_config(model, n, args.ignore_eos)
        kwargs = {}
        if name == "assisted":
            configure_assistant(assistant, k)
            kwargs["assistant_model"] = assistant
        verifications.reset()
        draft_before = assistant_forwards.calls if assistant_forwards else 0
        with torch.inference_mode():
            start = time.perf_counter()
            out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gc, **kwargs)
            seconds = time.perf_counter() - start
        tokens = out[0, ids.shape[1]:].tolist()
        stats = {"seconds": seconds, "tokens": tokens, "passes": verifications.passes,
                 "proposed": verifications.proposed, "accepted": verifications.accepted,
                 "draft_passes": (assistant_forwards.calls - draft_before) if assistant_forwards else 0}
        return stats

    for w in range(args.warmup):
        for c in configs:
            print(f"hf_baseline: warm-up {w + 1}/{args.warmup}  {label(c)}", file=sys.stderr, flush=True)
            run(c, encoded[0], min(args.max_new_tokens, 32))

    samples = {c: [] for c in configs}
    greedy_tokens = {}
    mismatches = []
    for r in range(args.repeats):
        for c in configs:
            print(f"hf_baseline: repeat {r + 1}/{args.repeats}  {label(c)}  ({len(prompts)} prompts)",
                  file=sys.stderr, flush=True)
            total = {"seconds": 0.0, "tokens": 0, "passes": 0, "proposed": 0, "accepted": 0, "draft_passes": 0}
            for i, ids in enumerate(encoded):
                s = run(c, ids, args.max_new_tokens)
                for key in ("seconds", "passes", "proposed", "accepted", "draft_passes"):
                    total[key] += s[key]
                total["tokens"] += len(s["tokens"])
                reference_key = (i, c[1] if c[0] == "greedy" else args.assisted_dtype)
                if c[0] == "greedy" and reference_key not in greedy_tokens:
                    greedy_tokens[reference_key] = s["tokens"]
                elif reference_key in greedy_tokens and s["tokens"] != greedy_tokens[reference_key]:
                    mismatches.append({"config": label(c), "prompt": prompts[i], "repeat": r + 1})
            samples[c].append(total)

    greedy_by_dtype = {d: samples[("greedy", d, None)] for d in dtypes}
    results = []
    for c in configs:
        runs = samples[c]
        tps = [t["tokens"] / t["seconds"] for t in runs]
        row = {"name": c[0], "dtype": c[1], "k": c[2], "tokens": runs[0]["tokens"], "tokens_per_second": spread(tps)}
        if c[0] == "assisted" and c[1] in greedy_by_dtype:
            greedy = greedy_by_dtype[c[1]]
            row["speed_up"] = spread([tps[r] / (greedy[r]["tokens"] / greedy[r]["seconds"]) for r in range(len(runs))])
        if c[0] == "assisted":
            first = runs[0]
            row["acceptance_rate"] = first["accepted"] / first["proposed"] if first["proposed"] else None
            row["tokens_per_target_pass"] = first["tokens"] / first["passes"] if first["passes"] else None
            row["target_passes"] = first["passes"]
            row["draft_passes"] = first["draft_passes"]
        results.append(row)

    report = {
        "library": "transformers",
        "versions": {"transformers": transformers.__version__, "torch": torch.__version__,
                     "python": platform.python_version()},
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "target": str(args.model),
        "draft": str(args.draft) if args.draft else None,
        "prompts": prompts,
        "max_new_tokens": args.max_new_tokens,
        "ignore_eos": args.ignore_eos,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "identical": not mismatches,
        "mismatches": mismatches,
        "results": results,
        "greedy_outputs": [{"prompt": prompts[i], "dtype": d, "tokens": t} for (i, d), t in sorted(greedy_tokens.items())],
    }
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    if mismatches:
        # Reported, not fatal: this measures transformers, whose outputs are what they are.
        print(f"hf_baseline: {len(mismatches)} assisted generations differ from greedy (see 'mismatches')",
              file=sys.stderr)
    return 0


def label(config):
    name, dtype, k = config
    return f"{name} {dtype}" + (f" k={k}" if k is not None else "")


if __name__ == "__main__":
    sys.exit(main())
