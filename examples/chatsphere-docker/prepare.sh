#!/usr/bin/env bash
# Copies Debian's busybox-static binary into this example's build context (it is not committed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../../tests/support/docker_images.sh" prepare "$here/context"
