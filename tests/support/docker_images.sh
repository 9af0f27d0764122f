#!/usr/bin/env bash
# Busybox build contexts for the Docker examples and tests: plinth's images are built locally
# from `FROM scratch` + Debian's busybox-static (there is no registry on the test machines).
#
#   tests/support/docker_images.sh prepare DIR...   copy /bin/busybox into each context DIR
#   tests/support/docker_images.sh ensure           install busybox-static when /bin/busybox is missing
set -euo pipefail

ensure_busybox() {
    if [ -x /bin/busybox ]; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "docker_images.sh: /bin/busybox is missing; install busybox-static (as root: apt-get install -y busybox-static)" >&2
        exit 1
    fi
    apt-get install -y busybox-static >/dev/null || { apt-get update >/dev/null && apt-get install -y busybox-static >/dev/null; }
}

prepare_context() {
    local dir=$1
    if [ ! -f "$dir/Dockerfile" ]; then
        echo "docker_images.sh: $dir has no Dockerfile" >&2
        exit 1
    fi
    cp /bin/busybox "$dir/busybox"
}

case "${1:-}" in
    ensure)
        ensure_busybox
        ;;
    prepare)
        shift
        ensure_busybox
        for dir in "$@"; do
            prepare_context "$dir"
        done
        ;;
    *)
        echo "usage: $0 ensure | prepare DIR..." >&2
        exit 2
        ;;
esac
