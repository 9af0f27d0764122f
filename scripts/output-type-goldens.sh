#!/bin/sh
# Regenerates tests/lang/output_types/terraform_types.json: the type Terraform reports in
# `terraform output -json` for every output of tests/lang/output_types/config (applied offline in a
# temporary copy). `cargo nextest run --test cli_output_types` checks plinth against it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/tests/lang/output_types/config/." "$work"
cd "$work"
terraform init -no-color >/dev/null
terraform apply -auto-approve -no-color -var cli=abc >/dev/null
terraform output -json | python3 -c '
import json, sys
types = {name: output["type"] for name, output in json.load(sys.stdin).items()}
print("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in sorted(types.items())) + "\n}")
' > "$root/tests/lang/output_types/terraform_types.json"
