#!/usr/bin/env bash
# Instructions per call of every step in benches/steps.rs, under callgrind.
#
#   bash benches/callgrind.sh [ITERS] [OUT_DIR]
#
# Each step runs ITERS times (default 2000) in the bench binary's
# STEPS_PROFILE mode; `--toggle-collect` counts only the instructions inside
# that step's own `step_*` function (input set-up excluded), so the figure is
# stable across runs and machines of the same ISA, unlike wall time. Prints a
# TSV (step, instructions per call) and keeps each callgrind.out in OUT_DIR
# (default target/callgrind) for `callgrind_annotate --inclusive=yes`.
set -euo pipefail
cd "$(dirname "$0")/.."

iters=${1:-2000}
out=${2:-target/callgrind}
mkdir -p "$out"

cargo bench --manifest-path benches/Cargo.toml --bench steps --no-run >&2
bin=$(cargo bench --manifest-path benches/Cargo.toml --bench steps --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)

# profile name -> the function whose instructions are counted
steps=(
  ours::start:step_ours_start
  ours::start_os_rng:step_ours_start_os_rng
  ours::callback:step_ours_callback
  ours::token_request:step_ours_token_request
  ours::token_request_http:step_ours_token_request_http
  ours::token_response:step_ours_token_response
  ours::refresh_request:step_ours_refresh_request
  ours::refresh_response:step_ours_refresh_response
  ours::bearer_authorization:step_ours_bearer_authorization
  ours::authorize_request:step_ours_authorize_request
  ours::awaiting_serialize:step_ours_awaiting_serialize
  ours::awaiting_deserialize:step_ours_awaiting_deserialize
  ours::authorized_serialize:step_ours_authorized_serialize
  ours::authorized_deserialize:step_ours_authorized_deserialize
  ours::awaiting_from_json:step_ours_awaiting_from_json
  ours::authorized_from_json:step_ours_authorized_from_json
  ours::exchange:step_ours_exchange
  ours::exchange_sans_io:step_ours_exchange_sans_io
  floor::start:step_floor_start
  floor::start_os_rng:step_floor_start_os_rng
  floor::callback:step_floor_callback
  floor::token_request:step_floor_token_request
  floor::token_request_http:step_floor_token_request_http
  floor::token_response:step_floor_token_response
  floor::refresh_request:step_floor_refresh_request
  floor::bearer_authorization:step_floor_bearer_authorization
  floor::authorize_request:step_floor_authorize_request
  floor::awaiting_serialize:step_floor_awaiting_serialize
  floor::awaiting_deserialize:step_floor_awaiting_deserialize
  floor::authorized_serialize:step_floor_authorized_serialize
  floor::authorized_deserialize:step_floor_authorized_deserialize
  floor::exchange:step_floor_exchange
  floor::exchange_sans_io:step_floor_exchange_sans_io
  oauth2_5::authorize_url_random:step_theirs_authorize_url_random
  oauth2_5::authorize_url_fixed:step_theirs_authorize_url_fixed
  oauth2_5::exchange:step_theirs_exchange
  oauth2_5::transport_only:step_theirs_transport_only
  key_set_and_device::key_set:step_ours_key_set
  key_set_and_device::key_set_floor:step_floor_key_set
  key_set_and_device::device_poll_pending:step_ours_device_poll_pending
  key_set_and_device::device_poll_pending_floor:step_floor_device_poll_pending
  key_set_and_device::device_poll_tokens:step_ours_device_poll_tokens
)

printf 'step\tinstructions_per_call\n'
for entry in "${steps[@]}"; do
  name=${entry%:*}
  func=${entry##*:}
  file="$out/callgrind.out.${name//::/.}"
  STEPS_PROFILE=$name STEPS_ITERS=$iters valgrind --tool=callgrind \
    --callgrind-out-file="$file" --toggle-collect="steps::$func" \
    "$bin" 2>"$file.log" >/dev/null
  collected=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$file.log")
  printf '%s\t%d\n' "$name" $((collected / iters))
done
