#!/usr/bin/env bash
# Refresh benchmarks: the API calls and wall time of refreshing N objects through a provider's
# batched read_many, beside one read per object (what a provider without batched reads does).
# Each provider has its part below; with no arguments every part runs, or name the parts:
#
#   scripts/bench-refresh.sh [digitalocean] [aws]
#
# Results are printed and appended to docs/benchmarks.md ("Refresh" section) with the date, the
# machine and the plinth commit.
#
# digitalocean: DO_DROPLETS Droplets (default 1000) on the DigitalOcean emulator, in process,
#   read at each API latency of DO_LATENCIES (milliseconds added to every answer, default
#   "0 25"), median of RUNS rounds (default 3); one GET each runs 10 at a time, as Terraform's
#   default parallelism does.
#
# aws: AWS_INSTANCES instances (default 500), AWS_GROUPS security groups (500) and AWS_RECORDS
#   Route 53 records (200) on moto in server mode (PLINTH_MOTO_SERVER, or .venv/bin/moto_server
#   as scripts/test.sh installs it), read batched and with batching off (one call per object,
#   Terraform's provider's count at the least), median of RUNS rounds. Every call goes to moto,
#   whose Python handlers dominate the time, so a debug build measures the same as a release one
#   and this part uses the debug build the tests already made.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/bench-lib.sh
. "$root/scripts/bench-lib.sh"
runs=${RUNS:-3}

bench_digitalocean() {
  local droplets=${DO_DROPLETS:-1000} latencies=${DO_LATENCIES:-0 25} table
  echo "building the DigitalOcean refresh benchmark (release)" >&2
  cargo build --release --quiet -p plinth-provider-digitalocean --example bench_refresh
  # shellcheck disable=SC2086 # the latencies are separate arguments
  table=$(RUNS=$runs "$root/target/release/examples/bench_refresh" "$droplets" $latencies)
  record "DigitalOcean, $droplets Droplets on the emulator, median of $runs" "$table"
}

bench_aws() {
  local instances=${AWS_INSTANCES:-500} groups=${AWS_GROUPS:-500} records=${AWS_RECORDS:-200} table
  export PLINTH_MOTO_SERVER=${PLINTH_MOTO_SERVER:-$root/.venv/bin/moto_server}
  echo "building the AWS refresh benchmark (debug)" >&2
  cargo build --quiet --workspace --all-features --example aws_bench_refresh
  table=$(RUNS=$runs "$root/target/debug/examples/aws_bench_refresh" "$instances" "$groups" "$records")
  record "AWS on moto, $instances instances, $groups security groups, $records records, median of $runs" "$table"
}

parts=("$@")
if [[ ${#parts[@]} -eq 0 ]]; then parts=(digitalocean aws); fi
for part in "${parts[@]}"; do
  case $part in
    digitalocean) bench_digitalocean ;;
    aws) bench_aws ;;
    *)
      echo "usage: scripts/bench-refresh.sh [digitalocean] [aws] (unknown part: $part)" >&2
      exit 1
      ;;
  esac
done
