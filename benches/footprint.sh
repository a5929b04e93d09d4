#!/usr/bin/env bash
# Dependency footprint of oauth2-pkce next to oauth2 5.x.
#
#   bash benches/footprint.sh [PATH_TO_OAUTH2_PKCE]    (default: this repository)
#
# For each configuration it generates a throwaway binary crate in a temporary
# directory that depends on the crate under test and nothing else, then
# reports:
#   - crates: distinct packages in its dependency tree, the throwaway root
#     excluded (`cargo tree -e normal`: what a user links, proc-macros
#     included), and the same with build-dependencies (`-e normal,build`:
#     everything cargo compiles);
#   - build s: wall time of a clean `cargo build` (debug) in the throwaway's
#     own, empty target directory; the fastest of FOOTPRINT_RUNS builds
#     (default 1), each from an emptied target directory.
# The benches package's Cargo.lock is copied into each throwaway so every
# configuration resolves the same versions (it already pins oauth2 5.x, a
# dev-dependency of the benches). Set FOOTPRINT_OFFLINE=1 to pass --offline.
# Build times depend on the machine and its load: compare them within a run.
set -euo pipefail

repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/footprint.XXXXXX")
trap 'rm -rf "$work"' EXIT
offline=()
if [[ "${FOOTPRINT_OFFLINE:-0}" == 1 ]]; then offline=(--offline); fi

# name | dependency line for the throwaway's Cargo.toml
configs=(
  "oauth2-pkce (default features)|oauth2-pkce = { path = \"$repo\" }"
  "oauth2-pkce (no default features)|oauth2-pkce = { path = \"$repo\", default-features = false }"
  "oauth2 5.x (no default features)|oauth2 = { version = \"5\", default-features = false }"
)

count_crates() { # dir edges
  (cd "$1" && cargo tree "${offline[@]}" -e "$2" --prefix none --format '{p}' 2>/dev/null) \
    | sed 's/ (\*)$//' | grep -v '^footprint-probe ' | grep -v '^$' | sort -u | wc -l
}

rows=()
i=0
for config in "${configs[@]}"; do
  name=${config%%|*}
  dep=${config#*|}
  dir="$work/probe$i"
  i=$((i + 1))
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "footprint-probe"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
$dep

[workspace]
EOF
  echo 'fn main() {}' >"$dir/src/main.rs"
  if [[ -f "$repo/benches/Cargo.lock" ]]; then cp "$repo/benches/Cargo.lock" "$dir/Cargo.lock"; fi
  (cd "$dir" && cargo fetch "${offline[@]}" -q)
  normal=$(count_crates "$dir" normal)
  with_build=$(count_crates "$dir" normal,build)
  seconds=
  for _ in $(seq "${FOOTPRINT_RUNS:-1}"); do
    rm -rf "$dir/target"
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build "${offline[@]}" -q)
    end=$(date +%s.%N)
    seconds=$(awk -v s="$start" -v e="$end" -v best="$seconds" \
      'BEGIN { t = e - s; if (best != "" && best < t) t = best; printf "%.1f", t }')
  done
  rows+=("$name|$normal|$with_build|$seconds")
  echo "measured: $name" >&2
done

printf '\n| configuration | crates (normal) | crates (normal + build) | clean debug build (s) |\n'
printf '| --- | ---: | ---: | ---: |\n'
for row in "${rows[@]}"; do
  IFS='|' read -r name normal with_build seconds <<<"$row"
  printf '| %s | %s | %s | %s |\n' "$name" "$normal" "$with_build" "$seconds"
done
printf '\n(cores: %s; cargo: %s)\n' "$(nproc)" "$(cargo --version)"

if [[ -n "${FOOTPRINT_LIST:-}" ]]; then
  for d in "$work"/probe*; do
    echo "--- $d"
    (cd "$d" && cargo tree "${offline[@]}" -e normal --prefix none --format '{p}' | sed 's/ (\*)$//' | sort -u)
  done
fi
