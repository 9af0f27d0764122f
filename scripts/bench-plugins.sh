#!/usr/bin/env bash
# Times plinth and terraform (when it is on PATH) driving the same external provider binary: N
# `demo_item` resources of the Python test provider (PyPI's `tf` framework,
# providers/plugin/tests/plugins/tf_demo.py) found through the same filesystem mirror: plan on
# empty state, apply, and the no-op plan after it. Prints a table and appends it to
# docs/benchmarks.md.
#
#   scripts/bench-plugins.sh [N]         (default: 1000)
#
# PLINTH_TF_PYTHON: the tf framework's interpreter (default .venv-tf/bin/python, made by
# scripts/test.sh). PLINTH_BIN: the plinth binary (default: a release build, built here).
# TF_TIMEOUT (seconds, default 900) bounds each step.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n=${1:-1000}
limit=${TF_TIMEOUT:-900}
python=${PLINTH_TF_PYTHON:-$root/.venv-tf/bin/python}
if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/bench-plugins.sh [N]" >&2
  exit 1
fi
if [[ ! -x $python ]]; then
  echo "no tf framework at $python: run scripts/test.sh or set PLINTH_TF_PYTHON" >&2
  exit 1
fi
if [[ -n ${PLINTH_BIN:-} ]]; then
  plinth=$PLINTH_BIN
  build="$(basename "$(dirname "$plinth")") build"
else
  echo "building plinth (release)" >&2
  cargo build --release --quiet
  plinth="$root/target/release/plinth"
  build="release build"
fi
terraform=$(command -v terraform || true)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
pkg="$work/mirror/example.com/plinth/demo/1.0.0/linux_$arch"
mkdir -p "$pkg"
printf '#!/bin/sh\nexec %q %q "$@"\n' "$python" "$root/providers/plugin/tests/plugins/tf_demo.py" \
  > "$pkg/terraform-provider-demo_v1.0.0"
chmod 755 "$pkg/terraform-provider-demo_v1.0.0"
cat > "$work/cli.tfrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["example.com/*/*"]
  }
}
CONFIG
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# setup DIR: N independent demo_item resources, each tool with a store of its own.
setup() {
  mkdir -p "$1/store"
  {
    printf 'terraform {\n  required_providers {\n    demo = {\n      source = "example.com/plinth/demo"\n    }\n  }\n}\n\n'
    printf 'provider "demo" {\n  store = "%s/store"\n}\n\n' "$1"
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "resource \"demo_item\" \"r%d\" {\n  name    = \"r%d\"\n  content = \"item %d\"\n}\n\n", i, i, i }'
  } > "$1/main.tf"
}

# timed DIR CMD...: prints the wall time in seconds, "timeout" or "failed".
timed() {
  local dir=$1 status=0 start end
  shift
  start=$EPOCHREALTIME
  (cd "$dir" && timeout "$limit" "$@") > "$dir/.log" 2>&1 || status=$?
  end=$EPOCHREALTIME
  if [[ $status -eq 124 ]]; then
    echo timeout
  elif [[ $status -ne 0 && $status -ne 2 ]]; then
    echo "failed: $* (exit $status)" >&2
    tail -n 20 "$dir/.log" >&2
    echo failed
  else
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
  fi
}

declare -A result
for tool in plinth terraform; do
  bin=$plinth
  if [[ $tool == terraform ]]; then
    [[ -n $terraform ]] || { echo "terraform not on PATH: skipped" >&2; continue; }
    bin=$terraform
  fi
  dir="$work/$tool"
  setup "$dir"
  (cd "$dir" && "$bin" init > .init.log 2>&1) || { echo "$tool init failed" >&2; cat "$dir/.init.log" >&2; exit 1; }
  echo "$tool: plan, apply, no-op plan of $n resources" >&2
  result[$tool,plan]=$(timed "$dir" "$bin" plan -detailed-exitcode)
  result[$tool,apply]=$(timed "$dir" "$bin" apply -auto-approve)
  result[$tool,noop]=$(timed "$dir" "$bin" plan -detailed-exitcode)
  count=$(find "$dir/store" -name '*.json' | wc -l)
  [[ $count -eq $n ]] || echo "warning: $tool's store holds $count of $n objects" >&2
done

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1fx", b / a; else print "-" }'
}
table="### $(date -u '+%Y-%m-%d %H:%M') UTC: plugin provider, $n resources, $(nproc) cores, plinth $(git rev-parse --short HEAD) ($build), ${terraform:+$("$terraform" version | head -1)}

| step | plinth s | terraform s | terraform / plinth |
|---|---:|---:|---:|"
for step in plan apply noop; do
  name=$step
  [[ $step == plan ]] && name="plan (empty state)"
  [[ $step == noop ]] && name="no-op plan"
  p=${result[plinth,$step]}
  t=${result[terraform,$step]:-skipped}
  table+=$'\n'"| $name | $p | $t | $(ratio "$p" "$t") |"
done
echo "$table"
printf '\n%s\n' "$table" >> docs/benchmarks.md
