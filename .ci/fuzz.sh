#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time on the stable toolchain
# (`--sanitizer none`: libFuzzer coverage without ASan; mfaudit has no unsafe code).
# Seeds come from the project's own fixtures and examples. A crash fails CI; its input is left in
# fuzz/artifacts/<target>/ — turn it into a regression test under tests/fixtures/bad-input/.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fuzz build --sanitizer none
for target in $(cargo fuzz list); do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  find ../tests/fixtures ../examples -type f \( -name '*.json' -o -name '*.csv' -o -name '*.clixml' -o -name '*.jsonl' -o -name '*.log' \) -size -200k -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  cargo fuzz run --sanitizer none "$target" "$corpus" -- -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 2>&1 | tail -n 3
done
