#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded number of inputs on the stable toolchain
# (`--sanitizer none`: libFuzzer coverage without ASan; mfaudit has no unsafe code). The seed is
# fixed, so CI explores exactly what a developer's run of this script explores: a crash is found
# here first, and becomes a regression test. For longer exploration: FUZZ_RUNS=0 FUZZ_SECONDS=600
# FUZZ_SEED=$RANDOM bash .ci/fuzz.sh.
# Seeds come from the project's own fixtures and examples. A crash fails CI; its input is left in
# fuzz/artifacts/<target>/ — turn it into a regression test under tests/fixtures/bad-input/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
RUNS="${FUZZ_RUNS:-20000}"
SEED="${FUZZ_SEED:-1}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build --sanitizer none
for target in $(cargo fuzz list); do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  find ../tests/fixtures ../examples -type f \( -name '*.json' -o -name '*.csv' -o -name '*.clixml' -o -name '*.jsonl' -o -name '*.log' \) -size -200k -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  echo "fuzz: $target ($RUNS inputs, seed $SEED, at most ${SECONDS_PER_TARGET}s)"
  cargo fuzz run --sanitizer none "$target" "$corpus" -- -seed="$SEED" -runs="$RUNS" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 2>&1 | tail -n 12
done
