#!/usr/bin/env bash
# A fuzz campaign: every target for SECONDS (default 900) in turn, one core,
# with its dictionary; then the corpus is minimized. Prints per target the
# executions, coverage (libFuzzer's `cov`/`ft`) and any crash.
#
#   bash fuzz/campaign.sh [SECONDS] [TARGET...]
#
# Exits non-zero when any target found a crash (the artifact is under
# fuzz/artifacts/TARGET/). FUZZ_CMIN=0 skips the corpus minimization;
# FUZZ_SEED=N fixes libFuzzer's seed, so a short run explores the same way
# on every machine and a red run is a property of the commit, not of luck.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-900}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(callback token_response revocation_response stored_state www_authenticate par_response discovery_response device_authorization_response device_token_response introspection_response resource_metadata_response resource_metadata_challenge private_jwk jws_compact jwks id_token_claims userinfo_response logout_token token_exchange_response jarm_response introspection_jwt backchannel_authentication_response ciba_ping_notification authorization_details)
logs="${FUZZ_LOGS:-fuzz/target/campaign}"
mkdir -p "$logs"
dict_for() {
  case "$1" in
    callback) echo fuzz/dict/callback.dict ;;
    www_authenticate|resource_metadata_challenge) echo fuzz/dict/www_authenticate.dict ;;
    private_jwk) echo fuzz/dict/jwk.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}
cargo +nightly fuzz build
failed=0
for target in "${targets[@]}"; do
  log="$logs/$target.log"
  status=0
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -dict="$(dict_for "$target")" \
    ${FUZZ_SEED:+-seed="$FUZZ_SEED"} -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
  cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -Eo 'cov: [0-9]+ ft: [0-9]+' || echo "?")
  crash=$(grep -Eo 'Test unit written to [^ ]+' "$log" | head -1 | sed 's/Test unit written to //' || true)
  printf '%-20s exit=%s runs=%s %s %s\n' "$target" "$status" "$runs" "$cov" "${crash:-no crash}"
  if [ "$status" -ne 0 ]; then
    failed=1
    tail -n 40 "$log"
  fi
  if [ "${FUZZ_CMIN:-1}" = 1 ]; then
    cargo +nightly fuzz cmin "$target" >"$logs/$target.cmin.log" 2>&1 || true
    # cmin rewrites the corpus in place: bring the committed seeds back.
    git checkout -- "fuzz/corpus/$target" 2>/dev/null || true
  fi
done
exit "$failed"
