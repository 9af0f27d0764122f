#!/usr/bin/env bash
# Refresh benchmarks: the API calls and wall time of refreshing N objects through a provider's
# batched read_many, beside one read per object (what a provider without batched reads does).
# Each provider has its part below; with no arguments every part runs, or name the parts:
#
#   scripts/bench-refresh.sh [digitalocean ...]
#
# Results are printed and appended to docs/benchmarks.md ("Refresh" section) with the date, the
# machine and the plinth commit.
#
# digitalocean: DO_DROPLETS Droplets (default 1000) on the DigitalOcean emulator, in process,
#   read at each API latency of DO_LATENCIES (milliseconds added to every answer, default
#   "0 25"), median of RUNS rounds (default 3); one GET each runs 10 at a time, as Terraform's
#   default parallelism does.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
doc="$root/docs/benchmarks.md"
runs=${RUNS:-3}

machine() {
  local cores mem commit
  cores=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  commit=$(git rev-parse --short HEAD)
  echo "$cores cores, $mem, plinth $commit"
}

# Appends a result table under a heading to docs/benchmarks.md and prints it.
record() {
  local heading=$1 table=$2
  printf '%s\n' "$table"
  {
    echo
    echo "### $(date -u '+%Y-%m-%d %H:%M UTC'): $heading, $(machine)"
    echo
    printf '%s\n' "$table"
  } >>"$doc"
}

bench_digitalocean() {
  local droplets=${DO_DROPLETS:-1000} latencies=${DO_LATENCIES:-0 25} table
  echo "building the DigitalOcean refresh benchmark (release)" >&2
  cargo build --release --quiet -p plinth-provider-digitalocean --example bench_refresh
  # shellcheck disable=SC2086 # the latencies are separate arguments
  table=$(RUNS=$runs "$root/target/release/examples/bench_refresh" "$droplets" $latencies)
  record "DigitalOcean, $droplets Droplets on the emulator, median of $runs" "$table"
}

parts=("$@")
if [[ ${#parts[@]} -eq 0 ]]; then parts=(digitalocean); fi
for part in "${parts[@]}"; do
  case $part in
    digitalocean) bench_digitalocean ;;
    *)
      echo "usage: scripts/bench-refresh.sh [digitalocean ...] (unknown part: $part)" >&2
      exit 1
      ;;
  esac
done
