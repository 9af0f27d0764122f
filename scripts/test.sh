#!/usr/bin/env bash
# Installs what the tests need (only what is missing) and runs the whole suite:
# formatting, lints, then every test of the workspace with all features (the slow test provider
# included). With CI=true a failed install stops the run; elsewhere it is reported and the tests
# that need the missing piece fail or skip saying why.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '\n==> %s\n' "$*"; }

# Reports a failed install: fatal in CI, a warning elsewhere.
install_failed() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "error: $1" >&2
    exit 1
  fi
  echo "warning: $1 (the tests that need it will fail or skip)" >&2
}

apt_updated=no
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  if [[ $apt_updated == no ]]; then
    "${sudo[@]}" apt-get update -qq && apt_updated=yes || return 1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@"
}

# Docker tests build `FROM scratch` images around Debian's static busybox.
if [[ ! -x /bin/busybox ]]; then
  log "installing busybox-static"
  apt_install busybox-static || install_failed "could not install busybox-static"
fi

# The file and remote-exec provisioner tests start their own OpenSSH servers on loopback.
if [[ ! -x /usr/sbin/sshd ]]; then
  log "installing openssh-server"
  apt_install openssh-server || install_failed "could not install openssh-server"
fi

# The registry tests push to and pull from Debian's docker-registry (distribution), which they
# start on loopback with an htpasswd file made by apache2-utils' htpasswd.
if [[ ! -x /usr/bin/docker-registry ]]; then
  log "installing docker-registry"
  apt_install docker-registry || install_failed "could not install docker-registry"
fi
if ! command -v htpasswd >/dev/null 2>&1; then
  log "installing apache2-utils"
  apt_install apache2-utils || install_failed "could not install apache2-utils"
fi

# AWS tests talk to moto in server mode, installed into .venv.
if [[ ! -x .venv/bin/moto_server ]]; then
  log "installing moto[server] into .venv"
  if python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]'; then
    :
  else
    install_failed "could not install moto[server] into .venv (needs python3 with venv and pip)"
  fi
fi
export PLINTH_MOTO_SERVER="$root/.venv/bin/moto_server"

# The pg backend's tests start their own PostgreSQL clusters from Debian's server binaries.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  log "installing postgresql"
  apt_install postgresql || install_failed "could not install postgresql"
fi

# The DigitalOcean emulator's tests drive it with DigitalOcean's official Python client, pydo.
if [[ ! -x .venv-pydo/bin/python ]] || ! .venv-pydo/bin/python -c 'import pydo' >/dev/null 2>&1; then
  log "installing pydo into .venv-pydo"
  if python3 -m venv .venv-pydo && .venv-pydo/bin/pip install --quiet --disable-pip-version-check pydo; then
    :
  else
    install_failed "could not install pydo into .venv-pydo (needs python3 with venv and pip)"
  fi
fi
export PLINTH_PYDO_PYTHON="$root/.venv-pydo/bin/python"

# Plugin protocol tests run providers built with two Python frameworks; their protobuf majors
# differ, so each has its own venv. pyvider finds the test provider package through its entry
# point, so that package is (re)installed whenever its files change.
if ! .venv-tf/bin/python -c 'import tf' >/dev/null 2>&1; then
  log "installing the tf provider framework into .venv-tf"
  if python3 -m venv .venv-tf && .venv-tf/bin/pip install --quiet --disable-pip-version-check 'tf==1.2.0'; then
    :
  else
    install_failed "could not install tf into .venv-tf"
  fi
fi
export PLINTH_TF_PYTHON="$root/.venv-tf/bin/python"
pyvider_demo=providers/plugin/tests/plugins/pyvider_demo
pyvider_demo_sum=$(cat "$pyvider_demo/pyproject.toml" "$pyvider_demo"/plinth_pyvider_demo/*.py | sha256sum | cut -c1-64)
if [[ "$(cat .venv-pyvider/plinth-demo.sum 2>/dev/null)" != "$pyvider_demo_sum" ]]; then
  log "installing the pyvider provider framework and the test provider into .venv-pyvider"
  if python3 -m venv .venv-pyvider \
    && .venv-pyvider/bin/pip install --quiet --disable-pip-version-check wheel 'pyvider==0.8.1' \
    && .venv-pyvider/bin/pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps --force-reinstall "./$pyvider_demo"; then
    rm -rf "$pyvider_demo/build" "$pyvider_demo"/*.egg-info
    echo "$pyvider_demo_sum" > .venv-pyvider/plinth-demo.sum
  else
    install_failed "could not install pyvider and the test provider into .venv-pyvider"
  fi
fi
export PLINTH_PYVIDER_PYTHON="$root/.venv-pyvider/bin/python"

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

log "tests"
if cargo nextest --version >/dev/null 2>&1; then
  # nextest runs no doctests: run them first so nextest's summary closes the output.
  cargo test --workspace --all-features --doc
  cargo nextest run --workspace --all-features --no-fail-fast
else
  cargo test --workspace --all-features --no-fail-fast
fi
