#!/usr/bin/env bash
# Times plinth (and terraform, when it is on PATH) on generated configurations of N
# `terraform_data` resources linked as a binary tree of references: plan on empty state, apply,
# and the no-op plan after it, each with its peak memory. Prints a table with the ratios and
# appends it to docs/benchmarks.md.
#
#   scripts/bench.sh [N...]        (default: 1000 5000)
#
# TF_TIMEOUT (seconds, default 900) bounds each terraform step; a step past it reads "timeout".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/bench-lib.sh
. "$root/scripts/bench-lib.sh"
sizes=("$@")
if [[ ${#sizes[@]} -eq 0 ]]; then sizes=(1000 5000); fi
tf_timeout=${TF_TIMEOUT:-900}
plinth_timeout=${PLINTH_TIMEOUT:-900}

for n in "${sizes[@]}"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/bench.sh [N...] (positive resource counts)" >&2
    exit 1
  fi
done

ensure_gnu_time

echo "building plinth (release)" >&2
cargo build --release --quiet
plinth="$root/target/release/plinth"
terraform=$(command -v terraform || true)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Writes N resources: r0 holds a constant, r<i> refers to its parent r<(i-1)/2>.
generate() {
  local n=$1 out=$2
  awk -v n="$n" 'BEGIN {
    print "resource \"terraform_data\" \"r0\" {\n  input = { name = \"r0\" }\n}\n"
    for (i = 1; i < n; i++) {
      parent = int((i - 1) / 2)
      printf "resource \"terraform_data\" \"r%d\" {\n  input = { name = \"r%d-${terraform_data.r%d.input.name}\" }\n}\n\n", i, i, parent
    }
  }' > "$out"
}

# check_count TOOL DIR N : fails unless TOOL's state lists N resources after its apply.
check_count() {
  local count
  count=$(cd "$2" && "$1" state list 2>/dev/null | grep -c '^terraform_data\.' || true)
  if [[ $count -ne $3 ]]; then
    echo "error: after apply, $1 state lists $count of $3 resources" >&2
    exit 1
  fi
}

# ratio TF PLINTH : how many times faster plinth was ("-" when either is not a number).
ratio() {
  awk -v t="$1" -v p="$2" 'BEGIN {
    if (t !~ /^[0-9.]+$/ || p !~ /^[0-9.]+$/) { print "-"; exit }
    if (p < 0.001) p = 0.001
    printf "%.0fx\n", t / p
  }'
}

declare -a rows
for n in "${sizes[@]}"; do
  echo "N=$n: generating" >&2
  mkdir -p "$work/$n/plinth" "$work/$n/terraform"
  generate "$n" "$work/$n/plinth/main.tf"
  cp "$work/$n/plinth/main.tf" "$work/$n/terraform/main.tf"

  echo "N=$n: plinth" >&2
  p_plan=$(measure "$plinth_timeout" "$work/$n/plinth" "$plinth" plan -no-color)
  p_apply=$(measure "$plinth_timeout" "$work/$n/plinth" "$plinth" apply -auto-approve -no-color)
  check_count "$plinth" "$work/$n/plinth" "$n"
  p_noop=$(measure "$plinth_timeout" "$work/$n/plinth" "$plinth" plan -detailed-exitcode -no-color)

  t_plan="-" t_apply="-" t_noop="-"
  if [[ -n $terraform ]]; then
    echo "N=$n: terraform (each step up to ${tf_timeout}s)" >&2
    : >"$work/terraformrc"
    export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE="$work/terraformrc"
    (cd "$work/$n/terraform" && "$terraform" init -input=false -no-color >/dev/null)
    t_plan=$(measure "$tf_timeout" "$work/$n/terraform" "$terraform" plan -input=false -no-color)
    t_apply=$(measure "$tf_timeout" "$work/$n/terraform" "$terraform" apply -input=false -auto-approve -no-color)
    if [[ $t_apply == timeout || $t_apply == failed ]]; then
      t_noop="skipped"
    else
      check_count "$terraform" "$work/$n/terraform" "$n"
      t_noop=$(measure "$tf_timeout" "$work/$n/terraform" "$terraform" plan -input=false -detailed-exitcode -no-color)
    fi
  fi

  for step in plan apply noop; do
    case $step in
      plan) p=$p_plan t=$t_plan label="plan (empty state)" ;;
      apply) p=$p_apply t=$t_apply label="apply" ;;
      noop) p=$p_noop t=$t_noop label="no-op plan" ;;
    esac
    read -r p_s p_mb _ <<<"$p"
    read -r t_s t_mb _ <<<"$t"
    [[ $p_s =~ ^[0-9.]+$ ]] || p_mb="-"
    [[ $t_s =~ ^[0-9.]+$ ]] || t_mb="-"
    rows+=("| $n | $label | $p_s | $p_mb | $t_s | $t_mb | $(ratio "$t_s" "$p_s") |")
  done
done

header="| N | step | plinth s | plinth peak MB | terraform s | terraform peak MB | terraform / plinth |
|---:|---|---:|---:|---:|---:|---:|"
table=$(printf '%s\n' "$header" "${rows[@]}")
echo
echo "$table"

tf_version="Terraform not on PATH"
if [[ -n $terraform ]]; then tf_version=$("$terraform" version 2>/dev/null | head -n 1); fi
SECTION=Results record "$tf_version" "$table" >/dev/null
echo
echo "appended to docs/benchmarks.md (## Results)"
