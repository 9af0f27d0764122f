#!/bin/sh
# Lays the notes provider out in a filesystem mirror under ./mirror and writes ./plinth.tfrc,
# the CLI configuration that names it. PYTHON: an interpreter with PyPI's `tf` package
# (default: python3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
os=$(uname -s | tr '[:upper:]' '[:lower:]')
dir="$here/mirror/example.com/examples/notes/0.1.0/${os}_${arch}"
mkdir -p "$dir"
cat > "$dir/terraform-provider-notes_v0.1.0" <<SCRIPT
#!/bin/sh
exec '$python' '$here/provider/notes.py' "\$@"
SCRIPT
chmod 755 "$dir/terraform-provider-notes_v0.1.0"
cat > "$here/plinth.tfrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$here/mirror"
    include = ["example.com/*/*"]
  }
}
CONFIG
echo "Provider installed in $here/mirror. Now: export TF_CLI_CONFIG_FILE=$here/plinth.tfrc"
