#!/usr/bin/env python3
"""Writes src/test/resources/fixtures/warper-golden.json: transformers' sampling distributions.

For a few fixed logit vectors (several with ties at the top-k and top-p boundaries) and warper
settings, applies TemperatureLogitsWarper, TopKLogitsWarper and TopPLogitsWarper in that order (the
order generate() uses) and saves the softmax of the result. LogitsWarperGoldenTest compares
dev.specdec.decode.LogitsWarper with it.

A case whose result depends on how torch.sort orders equal values would test torch's sort rather
than the warper, so every case is also run on the reversed vector; the cases where the two disagree
are left out and listed under "ambiguous".
"""
import json
from pathlib import Path

import torch
import transformers
from transformers.generation.logits_process import (
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

OUT = Path(__file__).resolve().parents[2] / "src" / "test" / "resources" / "fixtures" / "warper-golden.json"

VECTORS = {
    # Distinct values.
    "distinct": [2.5, -1.0, 0.75, 3.0, -2.25, 1.5, 0.0, -0.5, 2.0, 1.0],
    # Ties at the top (3.0 x2), in the middle (1.0 x3) and at the bottom (-2.0 x2).
    "ties": [1.0, 3.0, -2.0, 1.0, 0.5, 3.0, -2.0, 1.0, 2.0, 0.0],
    # All equal: top-k must keep every token and top-p must keep all of them.
    "flat": [0.5] * 8,
    # One dominant logit: top-p keeps only it.
    "peaked": [9.0, 0.0, 0.5, -1.0, 0.25, 1.0, -0.5, 0.0],
}

# (temperature, top_k, top_p); top_k 0 and top_p 1.0 mean "off", as in GenerationConfig.
SETTINGS = [
    (1.0, 0, 1.0),
    (0.7, 0, 1.0),
    (1.3, 0, 1.0),
    (1.0, 3, 1.0),
    (1.0, 2, 1.0),  # cuts through the tie at 3.0 in "ties": both are kept
    (1.0, 4, 1.0),  # cuts through the tie at 1.0 in "ties": all three are kept
    (1.0, 20, 1.0),  # larger than the vocabulary
    (1.0, 0, 0.9),
    (1.0, 0, 0.5),
    (0.7, 0, 0.8),
    (0.7, 5, 0.9),
    (1.5, 4, 0.6),
    (1.0, 1, 1.0),
    (1.0, 0, 0.05),  # keeps at least one token
]


def warp(logits, temperature, top_k, top_p):
    processors = LogitsProcessorList()
    if temperature != 1.0:
        processors.append(TemperatureLogitsWarper(temperature))
    if top_k > 0:
        processors.append(TopKLogitsWarper(top_k))
    if top_p < 1.0:
        processors.append(TopPLogitsWarper(top_p))
    scores = torch.tensor([logits], dtype=torch.float32)
    input_ids = torch.zeros((1, 1), dtype=torch.long)
    return torch.softmax(processors(input_ids, scores), dim=-1)[0]


def random_vector():
    generator = torch.Generator().manual_seed(1234)
    return [float(x) for x in (torch.randn(300, generator=generator) * 2.0)]


def main():
    vectors = dict(VECTORS)
    vectors["random-300"] = random_vector()
    cases = []
    ambiguous = []
    for name, logits in vectors.items():
        for temperature, top_k, top_p in SETTINGS:
            probs = warp(logits, temperature, top_k, top_p)
            reversed_probs = warp(logits[::-1], temperature, top_k, top_p).flip(0)
            if not torch.equal(probs > 0, reversed_probs > 0):
                ambiguous.append(f"{name} T={temperature} top_k={top_k} top_p={top_p}")
                continue
            cases.append({
                "name": name,
                "temperature": temperature,
                "top_k": top_k,
                "top_p": top_p,
                "logits": [float(x) for x in torch.tensor(logits, dtype=torch.float32)],
                "probabilities": [float(f"{float(p):.9g}") for p in probs],
            })
    document = {
        "notes": "softmax(TopP(TopK(Temperature(logits)))) by transformers " + transformers.__version__
                 + ", torch " + torch.__version__ + "; written by tools/reference/make_warper_golden.py",
        "ambiguous": ambiguous,
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}; left out as tie-order dependent: {ambiguous}")


if __name__ == "__main__":
    main()
