#!/usr/bin/env python3
"""Reads the JSON files bench/compare.sh wrote and prints specdec/transformers ratios; writes summary.json.

Every ratio pairs figures measured in the same compare.sh run on the same machine: specdec greedy vs
transformers greedy (f32, bf16), specdec speculative vs transformers assisted generation, and the
greedy step time vs the memory-bandwidth floor (weight bytes streamed per step / triad bandwidth).
"""
import json
import re
import sys
from pathlib import Path


def load(out, name):
    path = out / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def specdec_row(report, draft, k=None):
    for r in report["results"]:
        if r["draft"] == draft and (k is None or r["k"] == k):
            return r
    return None


def hf_row(report, name, dtype, k=None):
    for r in report["results"]:
        if r["name"] == name and r["dtype"] == dtype and (k is None or r["k"] == k):
            return r
    return None


def best_per_variant(report):
    """Each drafting variant's row with the highest median speed-up, in the report's variant order."""
    if report is None:
        return []
    best = {}
    for r in report["results"]:
        if r["k"] is not None and (r["draft"] not in best or median(r["speed_up"]) > median(best[r["draft"]]["speed_up"])):
            best[r["draft"]] = r
    return list(best.values())


def median(spread):
    return None if spread is None else spread["median"]


def triad(out):
    text = (out / "forward-timing.txt").read_text(encoding="utf-8")
    values = [float(v) for v in re.findall(r"triad bandwidth(?: after the runs)? ([0-9.]+) GB/s", text)]
    return values


def agreement(specdec, hf, dtype):
    """Share of prompts whose greedy tokens are the same in specdec and transformers."""
    ours = {o["prompt"]: o["tokens"] for o in specdec["greedy_outputs"]}
    theirs = {o["prompt"]: o["tokens"] for o in hf["greedy_outputs"] if o["dtype"] == dtype}
    common = [p for p in ours if p in theirs]
    return sum(ours[p] == theirs[p] for p in common), len(common)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
    summary = {}
    lines = []

    def say(key, text, value):
        summary[key] = value
        lines.append(text)

    spec_f32, spec_bf16 = load(out, "specdec-speed-f32.json"), load(out, "specdec-speed-bf16.json")
    hf_speed = load(out, "hf-speed.json")
    spec_demo = load(out, "specdec-demo.json")
    hf_demo = load(out, "hf-demo.json")
    bandwidth = triad(out)
    summary["triad_gb_per_s"] = bandwidth
    lines.append(f"triad bandwidth: {', '.join(f'{b:.2f}' for b in bandwidth)} GB/s (before, after the forward timings)")
    lines.append(f"threads: specdec {spec_f32['machine']['compute_threads']}, transformers {hf_speed['threads']} "
                 f"(OMP_WAIT_POLICY={hf_speed.get('omp_wait_policy')}); transformers {hf_speed['versions']['transformers']}, "
                 f"torch {hf_speed['versions']['torch']}")

    lines.append("")
    lines.append("gpt2-shaped target (random weights), tokens/s, medians:")
    for dtype, spec in (("f32", spec_f32), ("bf16", spec_bf16)):
        ours = specdec_row(spec, "greedy")
        theirs = hf_row(hf_speed, "greedy", dtype)
        ratio = median(ours["tokens_per_second"]) / median(theirs["tokens_per_second"])
        say(f"greedy_{dtype}_specdec_over_transformers",
            f"  greedy {dtype:4}  specdec {median(ours['tokens_per_second']):7.2f}  transformers "
            f"{median(theirs['tokens_per_second']):7.2f}  ratio {ratio:.2f}x", ratio)
        step_ms = median(ours["ms_per_target_pass"])
        floor_ms = spec["target_weight_bytes_per_step"] / (max(bandwidth) * 1e9) * 1e3
        say(f"greedy_{dtype}_step_over_floor",
            f"  step time {dtype:4}  {step_ms:7.2f} ms vs floor {floor_ms:6.2f} ms "
            f"({spec['target_weight_bytes_per_step'] / 1e6:.0f} MB / {max(bandwidth):.2f} GB/s): "
            f"{step_ms / floor_ms:.2f}x the floor", step_ms / floor_ms)
        n_same, n = agreement(spec, hf_speed, dtype)
        say(f"greedy_{dtype}_same_tokens_as_transformers",
            f"  greedy {dtype:4}  same tokens as transformers for {n_same}/{n} prompts", [n_same, n])
    spec_self = load(out, "specdec-speed-self.json")
    theirs = hf_row(hf_speed, "assisted", "f32", "4")
    # The self-draft runs on its own with longer generations (compare.sh), so it is not set against
    # assisted generation here; its figures follow with the other drafting variants.
    for variant, spec in (("f32", spec_f32), ("q8_0", spec_f32), ("pruned", spec_f32)):
        ours = specdec_row(spec, variant, 4) if spec else None
        if ours is None or theirs is None:
            continue
        ratio = median(ours["tokens_per_second"]) / median(theirs["tokens_per_second"])
        say(f"speed_pair_{variant}_k4_over_assisted_k4",
            f"  speculative k=4 {variant:9}  specdec {median(ours['tokens_per_second']):7.2f} "
            f"(x{median(ours['speed_up']):.2f} vs greedy, alpha {ours['acceptance_rate'] or 0:.2f})  "
            f"transformers assisted k=4 {median(theirs['tokens_per_second']):7.2f} "
            f"(x{median(theirs['speed_up']):.2f}, alpha {theirs['acceptance_rate'] or 0:.2f})  ratio {ratio:.2f}x", ratio)

    lines.append("  drafting variants on the gpt2-shaped target (best k of each; c = draft pass / greedy step):")
    for name, spec in (("f32 target", spec_f32), ("f32 target", spec_self),
                       ("f16 target", load(out, "specdec-speed-f16.json"))):
        for variant in best_per_variant(spec):
            say(f"speed_pair_{name.split()[0]}_{variant['draft']}_best",
                f"    {name} {variant['draft']:9} k={variant['k']}: x{median(variant['speed_up']):.2f} vs greedy, "
                f"alpha {variant['acceptance_rate'] or 0:.3f}, c {median(variant['draft_cost_ratio']) or 0:.3f}, "
                f"verify/step {median(variant['verify_cost_ratio']) or 0:.2f}, n={variant['max_new_tokens']}",
                {"k": variant["k"], "speed_up": median(variant["speed_up"]), "alpha": variant["acceptance_rate"],
                 "c": median(variant["draft_cost_ratio"])})

    lines.append("")
    lines.append("demo pair, tokens/s, medians:")
    ours_g = specdec_row(spec_demo, "greedy")
    theirs_g = hf_row(hf_demo, "greedy", "f32")
    ratio = median(ours_g["tokens_per_second"]) / median(theirs_g["tokens_per_second"])
    say("demo_greedy_specdec_over_transformers",
        f"  greedy f32  specdec {median(ours_g['tokens_per_second']):7.2f}  transformers "
        f"{median(theirs_g['tokens_per_second']):7.2f}  ratio {ratio:.2f}x", ratio)
    spec_rows = [r for r in spec_demo["results"] if r["k"] is not None]
    best = max(spec_rows, key=lambda r: median(r["speed_up"]))
    say("demo_best_specdec",
        f"  best specdec  {best['draft']} k={best['k']}: {median(best['tokens_per_second']):7.2f} tok/s, "
        f"x{median(best['speed_up']):.2f} [{best['speed_up']['min']:.2f}-{best['speed_up']['max']:.2f}] vs greedy, "
        f"alpha {best['acceptance_rate'] if best['acceptance_rate'] is not None else float('nan'):.3f}, "
        f"{best['tokens_per_target_pass']:.2f} tok/pass, c {median(best['draft_cost_ratio']) or 0:.3f}",
        {"draft": best["draft"], "k": best["k"], "tokens_per_second": median(best["tokens_per_second"]),
         "speed_up": best["speed_up"], "acceptance_rate": best["acceptance_rate"],
         "tokens_per_target_pass": best["tokens_per_target_pass"]})
    assisted = [r for r in hf_demo["results"] if r["name"] == "assisted"]
    for r in assisted:
        lines.append(f"  transformers assisted k={r['k']}: {median(r['tokens_per_second']):7.2f} tok/s, "
                     f"x{median(r['speed_up']):.2f} vs its greedy, alpha {r['acceptance_rate'] or 0:.3f}, "
                     f"{r['tokens_per_target_pass'] or 0:.2f} tok/pass")
    if assisted:
        best_hf = max(assisted, key=lambda r: median(r["tokens_per_second"]))
        ratio = median(best["tokens_per_second"]) / median(best_hf["tokens_per_second"])
        say("demo_best_specdec_over_best_assisted",
            f"  best specdec / best transformers assisted (k={best_hf['k']}): {ratio:.2f}x", ratio)
        names = [v["name"] for v in spec_demo["variants"]]
        same_draft = "f32" if "f32" in names else names[0]  # f32: the very weights transformers runs
        same_k = specdec_row(spec_demo, same_draft, 4)
        hf_k4 = hf_row(hf_demo, "assisted", "f32", "4")
        if same_k and hf_k4:
            ratio = median(same_k["tokens_per_second"]) / median(hf_k4["tokens_per_second"])
            say("demo_same_draft_k4_over_assisted_k4",
                f"  draft model at k=4: specdec {same_k['draft']} {median(same_k['tokens_per_second']):.2f} vs "
                f"transformers assisted {median(hf_k4['tokens_per_second']):.2f}: {ratio:.2f}x", ratio)
    alone = load(out, "specdec-demo-default.json")
    for variant in best_per_variant(alone):
        say("demo_default_draft_alone",
            f"  default draft (pruned q8_0) in a process of its own, k={variant['k']}: "
            f"x{median(variant['speed_up']):.2f} vs greedy, alpha {variant['acceptance_rate'] or 0:.3f}, "
            f"c {median(variant['draft_cost_ratio']) or 0:.3f}",
            {"k": variant["k"], "speed_up": median(variant["speed_up"]), "c": median(variant["draft_cost_ratio"])})
    repetitive = load(out, "specdec-repetitive.json")
    lines.append("  repetitive prompts (bench/prompts-repetitive.txt), best k of each variant:")
    for variant in best_per_variant(repetitive):
        say(f"repetitive_{variant['draft']}_best",
            f"    {variant['draft']:9} k={variant['k']}: x{median(variant['speed_up']):.2f} vs greedy, "
            f"alpha {variant['acceptance_rate'] or 0:.3f}, {variant['tokens_per_target_pass']:.2f} tok/pass",
            {"k": variant["k"], "speed_up": median(variant["speed_up"]), "alpha": variant["acceptance_rate"]})
    n_same, n = agreement(spec_demo, hf_demo, "f32")
    say("demo_greedy_same_tokens_as_transformers",
        f"  greedy f32 same tokens as transformers for {n_same}/{n} prompts", [n_same, n])

    lines.append("")
    identical = all(r["identical"] for r in (spec_f32, spec_self, spec_bf16, spec_demo, alone, repetitive,
                                             load(out, "specdec-speed-f16.json")) if r is not None)
    hf_identical = all(r["identical"] for r in (hf_speed, hf_demo))
    say("specdec_speculative_identical_to_greedy",
        f"specdec speculative == greedy in every run: {'yes' if identical else 'NO'}; "
        f"transformers assisted == greedy: {'yes' if hf_identical else 'NO (see mismatches in hf-*.json)'}", identical)
    summary["transformers_assisted_identical_to_greedy"] = hf_identical
    loads = [spec_f32["machine"], spec_bf16["machine"], spec_demo["machine"]]
    summary["load_average_1m"] = [[m["load_average_1m_start"], m["load_average_1m_end"]] for m in loads]
    lines.append("load average (1 min) at start/end of the specdec runs: "
                 + ", ".join(f"{a:.1f}/{b:.1f}" for a, b in summary["load_average_1m"] if a is not None and b is not None))
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
