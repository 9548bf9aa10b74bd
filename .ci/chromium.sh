#!/bin/sh
# Installs Debian's Chromium when missing and runs the HTML report's browser test with it.
# Usage: .ci/chromium.sh [extra cargo test args]   (MFAUDIT_KEEP_SCREENSHOT=FILE.png keeps the shot)
set -eu
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends chromium
fi
MFAUDIT_TEST_CHROMIUM="$(command -v chromium)"
export MFAUDIT_TEST_CHROMIUM
exec cargo test --locked --test integration html::chromium "$@"
