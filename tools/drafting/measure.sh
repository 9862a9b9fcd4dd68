#!/usr/bin/env bash
# Measures every drafting option of docs/DRAFTING.md on the demo pair, one JVM per option.
# Usage: tools/drafting/measure.sh [prompts] [tokens] [k]   (run from the repository root after a build)
set -euo pipefail
PROMPTS=${1:-8}; TOKENS=${2:-48}; K=${3:-4}
CLASSES=${CLASSES:-target/classes}
CP="$CLASSES:$(mvn -q -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"
run() { java --add-modules jdk.incubator.vector -cp "$CP" tools/drafting/MeasureDrafting.java \
    models/demo-target models/demo-draft models/heldout-prompts.txt models/vocab/gpt2-brown.txt \
    "$PROMPTS" "$TOKENS" "$K" "$1" 2>/dev/null; }
first=1
for option in "draft f32" "draft q8_0" "draft f32, vocab 8192" "draft q8_0, vocab 8192" "draft q8_0, vocab 4096" \
    "draft q8_0, vocab 8192, p_min 0.2" "draft q8_0, vocab 8192, p_min 0.4" "self-int8" "self-int8, vocab 8192" \
    "lookup" "lookup + draft q8_0, vocab 8192"; do
    if [ $first = 1 ]; then run "$option"; first=0; else run "$option" | tail -n 1; fi
done
echo
run verify
echo
run schedules
echo
run sampling
