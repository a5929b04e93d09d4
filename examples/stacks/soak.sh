#!/usr/bin/env bash
# The long form of the web app's soak (tests/soak.rs; SOAK.md says what it
# shows): the same test as `cargo test` runs, longer and bigger, built in
# release mode. Everything runs on 127.0.0.1 and stops with the test.
#
#   examples/stacks/soak.sh [SECONDS] [SESSIONS]     # default: 300 s, 300 browsers
#
# SOAK_LIFETIME (access token lifetime in seconds, default 6) is read too.
# Needs redis-server (Debian: apt-get install redis-server).
set -euo pipefail
cd "$(dirname "$0")/../.."
export SOAK_SECONDS="${1:-300}"
export SOAK_SESSIONS="${2:-300}"
echo "soak: ${SOAK_SECONDS} s, ${SOAK_SESSIONS} browsers, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git describe --always --dirty 2>/dev/null || echo unknown)"
exec cargo test --release --manifest-path transports/Cargo.toml -p oauth2-pkce-stacks \
    --test soak -- --nocapture
