#!/usr/bin/env bash
# Drift check at scale (issue 12): one configuration of 10,000 objects, by default 7,800
# terraform_data, 1,000 AWS objects on moto (a VPC and 999 subnets), 1,000 DigitalOcean
# objects on the emulator (500 Droplets and 500 tags) and 200 Docker containers on this machine's
# Docker Engine, applied once; then a clean `plinth drift` (it must exit 0) is timed RUNS times
# with its peak memory and the API calls it made to each provider, counted on the other side:
# moto's request log, the emulator's request counter (GET /_emulator/requests) and, for Docker,
# a counting proxy in front of the Engine's socket (scripts/count-proxy.py). The table goes to
# docs/benchmarks.md ("Drift check" section); then everything is destroyed and removed.
#
#   scripts/bench-drift.sh
#   PLINTH=target/debug/plinth scripts/bench-drift.sh       (default target/release/plinth)
#
# Sizes: TF_DATA (7800), AWS_SUBNETS (999, at most 1024), DO_DROPLETS (500), DO_TAGS (500),
# CONTAINERS (200). (Not security groups: a refreshed aws_security_group's rule sets compare
# unequal to the lists in state, so every drift check reports them changed.)
# RUNS (3) drift runs, PARALLELISM (10) for the apply and the destroy. moto is
# PLINTH_MOTO_SERVER or .venv/bin/moto_server (scripts/test.sh installs it); the emulator is
# DO_EMULATOR or plinth-do-emulator beside the plinth binary (any cargo build of the workspace's
# tests makes it). The containers run an image built here FROM scratch with Debian's
# busybox-static (no registry), as the Docker tests do.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=scripts/bench-lib.sh
. "$root/scripts/bench-lib.sh"

plinth=${PLINTH:-$root/target/release/plinth}
plinth=$(realpath -m "$plinth")
emulator=${DO_EMULATOR:-$(dirname "$plinth")/plinth-do-emulator}
moto_server=${PLINTH_MOTO_SERVER:-$root/.venv/bin/moto_server}
tf_data=${TF_DATA:-7800}
aws_subnets=${AWS_SUBNETS:-999}
do_droplets=${DO_DROPLETS:-500}
do_tags=${DO_TAGS:-500}
containers=${CONTAINERS:-200}
runs=${RUNS:-3}
parallelism=${PARALLELISM:-10}
limit=${PLINTH_TIMEOUT:-1800}
image=plinth-bench-drift:latest
prefix=bench-drift
token=bench-drift-token

for program in "$plinth" "$emulator" "$moto_server"; do
  if [[ ! -x $program ]]; then
    echo "bench-drift: $program not found (see the header of this script)" >&2
    exit 1
  fi
done
command -v docker >/dev/null || { echo "bench-drift: docker is not installed" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "bench-drift: the Docker Engine does not answer" >&2; exit 1; }
ensure_gnu_time
case $plinth in
  */debug/*) build="debug build" ;;
  *) build="release build" ;;
esac

work=$(mktemp -d)
pids=()
cleanup() {
  local status=$?
  docker ps -aq --filter "name=^$prefix-" | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker rmi "$image" >/dev/null 2>&1 || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    echo "bench-drift: failed; logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
  local port=$1 what=$2 deadline=$((SECONDS + 60))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [[ $SECONDS -lt $deadline ]] || { echo "bench-drift: $what did not start" >&2; exit 1; }
    sleep 0.2
  done
}

# moto, logging one line per request.
moto_port=$(free_port)
"$moto_server" -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
wait_for_port "$moto_port" moto_server
moto_requests() { grep -cE 'HTTP/1\.[01]" [0-9]{3} ' "$work/moto.log" || true; }

# The DigitalOcean emulator, its asynchronous work instant.
"$emulator" --listen 127.0.0.1:0 --token "$token" --action-delay-ms 0 >"$work/emulator.log" 2>&1 &
pids+=($!)
deadline=$((SECONDS + 60))
until grep -qs 'listening on' "$work/emulator.log"; do
  [[ $SECONDS -lt $deadline ]] || { echo "bench-drift: the emulator did not start" >&2; exit 1; }
  sleep 0.2
done
do_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log" | head -n 1)
do_requests() { curl -fsS "$do_url/_emulator/requests" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }

# The Docker Engine's socket behind a request counter (used by the drift runs only).
engine=${DOCKER_HOST:-unix:///var/run/docker.sock}
if [[ $engine != unix://* ]]; then
  echo "bench-drift: DOCKER_HOST must be a unix:// socket to count requests, not $engine" >&2
  exit 1
fi
python3 "$root/scripts/count-proxy.py" "$work/docker.sock" "${engine#unix://}" "$work/docker.count" &
pids+=($!)
deadline=$((SECONDS + 30))
until [[ -S $work/docker.sock && -f $work/docker.count ]]; do
  [[ $SECONDS -lt $deadline ]] || { echo "bench-drift: the Docker request counter did not start" >&2; exit 1; }
  sleep 0.1
done
docker_requests() { cat "$work/docker.count"; }

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port" \
  DIGITALOCEAN_API_URL=$do_url DIGITALOCEAN_TOKEN=$token NO_COLOR=1
unset TF_CLI_ARGS TF_CLI_ARGS_apply TF_CLI_ARGS_plan

echo "building the container image $image (FROM scratch, busybox-static)" >&2
mkdir -p "$work/context" "$work/config"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n' >"$work/context/Dockerfile"
"$root/tests/support/docker_images.sh" prepare "$work/context"
docker build -q -t "$image" "$work/context" >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }
image_id=$(docker image inspect -f '{{.Id}}' "$image")

total=$((tf_data + 1 + aws_subnets + do_droplets + do_tags + containers))
echo "generating $total objects" >&2
cat >"$work/config/main.tf" <<EOF
provider "aws" {
  region = "us-east-1"
}

provider "digitalocean" {}

provider "docker" {}

resource "terraform_data" "d" {
  count = $tf_data
  input = "d-\${count.index}"
}

resource "aws_vpc" "bench" {
  cidr_block = "10.50.0.0/16"
  tags = {
    Name = "$prefix"
  }
}

resource "aws_subnet" "s" {
  count      = $aws_subnets
  vpc_id     = aws_vpc.bench.id
  cidr_block = cidrsubnet(aws_vpc.bench.cidr_block, 10, count.index)
}

resource "digitalocean_tag" "t" {
  count = $do_tags
  name  = "$prefix-\${count.index}"
}

resource "digitalocean_droplet" "d" {
  count  = $do_droplets
  name   = "$prefix-\${count.index}"
  size   = "s-1vcpu-1gb"
  image  = "ubuntu-22-04-x64"
  region = "nyc3"
}

resource "docker_container" "c" {
  count                 = $containers
  name                  = "$prefix-\${count.index}"
  image                 = "$image_id"
  command               = ["/bin/sleep", "86400"]
  destroy_grace_seconds = 1
}
EOF

echo "applying (parallelism $parallelism)" >&2
apply=$(measure "$limit" "$work/config" "$plinth" apply -auto-approve -parallelism="$parallelism")
[[ $apply =~ ^[0-9.]+\ [0-9]+$ ]] || { echo "bench-drift: the apply failed ($apply)" >&2; exit 1; }
read -r apply_s apply_mb <<<"$apply"
listed=$(cd "$work/config" && "$plinth" state list | wc -l)
if [[ $listed -ne $total ]]; then
  echo "bench-drift: state lists $listed objects after the apply, expected $total" >&2
  exit 1
fi
echo "applied $total objects in ${apply_s}s" >&2

seconds=() peaks=()
for run in $(seq "$runs"); do
  moto_before=$(moto_requests)
  curl -fsS -X DELETE "$do_url/_emulator/requests" >/dev/null
  docker_before=$(docker_requests)
  result=$(measure "$limit" "$work/config" env DOCKER_HOST="unix://$work/docker.sock" "$plinth" drift)
  if ! [[ $result =~ ^[0-9.]+\ [0-9]+$ ]]; then
    echo "bench-drift: plinth drift was not clean (exit 0) on run $run:" >&2
    tail -n 40 "$work/config/.log" >&2
    exit 1
  fi
  read -r s mb <<<"$result"
  seconds+=("$s")
  peaks+=("$mb")
  aws_calls=$(($(moto_requests) - moto_before))
  do_calls=$(do_requests)
  docker_calls=$(($(docker_requests) - docker_before))
  echo "drift run $run: ${s}s, ${mb} MB, API calls: AWS $aws_calls, DigitalOcean $do_calls, Docker $docker_calls" >&2
done
median=$(printf '%s\n' "${seconds[@]}" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
peak=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -n 1)

table="| provider | objects | API calls of one \`plinth drift\` | one read per object (Terraform) |
|---|---:|---:|---:|
| terraform_data (no API) | $tf_data | 0 | 0 |
| AWS on moto (aws_vpc, aws_subnet) | $((1 + aws_subnets)) | $aws_calls | $((1 + aws_subnets)) |
| DigitalOcean emulator (digitalocean_droplet, digitalocean_tag) | $((do_droplets + do_tags)) | $do_calls | $((do_droplets + do_tags)) |
| Docker Engine (docker_container) | $containers | $docker_calls | $containers |
| total | $total | $((aws_calls + do_calls + docker_calls)) | $((1 + aws_subnets + do_droplets + do_tags + containers)) |

| \`plinth drift\` over $total objects, clean (exit 0) | |
|---|---:|
| wall time, median of $runs (each run) | ${median} s (${seconds[*]}) |
| peak memory (largest of the runs) | ${peak} MB |
| the apply that made them (parallelism $parallelism), for scale | ${apply_s} s, ${apply_mb} MB |"

echo
SECTION="Drift check (\`scripts/bench-drift.sh\`)" \
  record "drift check over $total objects, $build (${plinth#"$root"/}), $runs runs" "$table"
echo
echo "appended to docs/benchmarks.md; destroying" >&2
destroy=$(measure "$limit" "$work/config" "$plinth" destroy -auto-approve -parallelism="$parallelism")
echo "destroy: $destroy" >&2
