#!/usr/bin/env bash
# Converge time of examples/chatsphere-docker on this machine's Docker Engine, side by side:
#   plinth apply -auto-approve from nothing, then a no-op re-apply, then destroy;
#   the same with wait_for_health = false (no wait for health checks, like `docker-compose up -d`);
#   docker-compose up -d of the equivalent docker-compose.yml, then again (no-op), then down -v;
#   docker-compose up -d timed until backend and nginx report healthy (what plinth's wait gives).
# Both sides start from the same warm image cache and must leave a stack that answers on
# HTTP_PORT. Prints a Markdown table (median of RUNS rounds) for docs/benchmarks.md.
#
#   scripts/bench-docker.sh                 RUNS=5 HTTP_PORT=18080 scripts/bench-docker.sh
#   PLINTH=path/to/plinth scripts/bench-docker.sh      (default target/release/plinth)
#   COMPOSE_ONLY=1 scripts/bench-docker.sh             (measure docker-compose alone)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
example="$root/examples/chatsphere-docker"
plinth=${PLINTH:-$root/target/release/plinth}
runs=${RUNS:-3}
port=${HTTP_PORT:-18080}
project=chatsphere

export TF_VAR_db_password=bench-db-password TF_VAR_secret_key=bench-secret-key
export DB_PASSWORD=$TF_VAR_db_password SECRET_KEY=$TF_VAR_secret_key HTTP_PORT=$port

if [ -z "${COMPOSE_ONLY:-}" ] && [ ! -x "$plinth" ]; then
    echo "bench-docker: $plinth not found; build it with 'cargo build --release' (or set COMPOSE_ONLY=1)" >&2
    exit 1
fi
command -v docker-compose >/dev/null || { echo "bench-docker: docker-compose is not installed" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Runs "$@" and prints its wall time in seconds; its output goes to $log.
timed() {
    local start end
    start=$(now)
    "$@" >>"$log" 2>&1 || { echo "bench-docker: '$*' failed; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    end=$(now)
    elapsed "$start" "$end"
}

# The stack must really answer before a converge counts.
check_stack() {
    local body
    body=$(wget -qO- "http://127.0.0.1:$port/" 2>/dev/null || curl -fsS "http://127.0.0.1:$port/" 2>/dev/null || true)
    case "$body" in
        *ChatSphere*) ;;
        *) echo "bench-docker: nothing answers on port $port after converging" >&2; exit 1 ;;
    esac
}

# The warm image under a second name, so removing the stack's tag never drops the build cache.
warm_tag=plinth-bench-warm/$project-service:1.0.0

clean_slate() {
    (cd "$work" && docker-compose -p "$project" down -v --remove-orphans) >>"$log" 2>&1 || true
    for name in db redis backend frontend nginx; do
        docker rm -f "$project-$name" >>"$log" 2>&1 || true
    done
    docker network rm "$project-net" >>"$log" 2>&1 || true
    docker volume rm "$project-postgres-data" "$project-redis-data" >>"$log" 2>&1 || true
    # plinth's destroy removes the stack's tag (keep_locally = false); compose expects it present.
    docker tag "$warm_tag" "$project-service:1.0.0" >>"$log" 2>&1 || true
}

# docker-compose up -d, then until the health-checked services report healthy: the state plinth's
# `wait = true` guarantees when its apply returns (compose 1.x has no --wait).
compose_up_healthy() {
    docker-compose -p "$project" up -d || return 1
    local name deadline=$((SECONDS + 60))
    for name in backend nginx; do
        until [ "$(docker inspect -f '{{.State.Health.Status}}' "$project-$name")" = healthy ]; do
            [ "$SECONDS" -lt "$deadline" ] || { echo "$project-$name never got healthy" >&2; return 1; }
            sleep 0.05
        done
    done
}

work=$(mktemp -d)
log="$work/bench.log"
trap 'clean_slate; docker rmi "$warm_tag" "$project-service:1.0.0" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$example/prepare.sh" >/dev/null
cp -r "$example/." "$work/"
rm -rf "$work/.plinth" "$work"/*.tfstate* "$work/.terraform"

clean_slate
# Warm the build cache once so neither side pays for the first build: the same image both sides
# build (the example's build labels), so plinth's build is a full cache hit and compose finds its
# image present.
docker build -q --label "org.opencontainers.image.title=$project" \
    -t "$warm_tag" -t "$project-service:1.0.0" "$work/context" >>"$log" 2>&1

declare -a plinth_up plinth_nowait plinth_noop compose_up compose_healthy compose_noop
for round in $(seq "$runs"); do
    if [ -z "${COMPOSE_ONLY:-}" ]; then
        rm -rf "$work/.plinth" "$work"/*.tfstate*
        plinth_up+=("$(timed "$plinth" -chdir="$work" apply -auto-approve -var "http_port=$port")")
        check_stack
        plinth_noop+=("$(timed "$plinth" -chdir="$work" apply -auto-approve -var "http_port=$port")")
        "$plinth" -chdir="$work" destroy -auto-approve -var "http_port=$port" >>"$log" 2>&1
        clean_slate
        rm -rf "$work/.plinth" "$work"/*.tfstate*
        plinth_nowait+=("$(timed "$plinth" -chdir="$work" apply -auto-approve -var "http_port=$port" -var wait_for_health=false)")
        check_stack
        "$plinth" -chdir="$work" destroy -auto-approve -var "http_port=$port" >>"$log" 2>&1
        clean_slate
    fi
    compose_up+=("$(cd "$work" && timed docker-compose -p "$project" up -d)")
    check_stack
    compose_noop+=("$(cd "$work" && timed docker-compose -p "$project" up -d)")
    clean_slate
    compose_healthy+=("$(cd "$work" && timed compose_up_healthy)")
    check_stack
    clean_slate
    echo "round $round done" >&2
done

row() {
    local label=$1
    shift
    if [ $# -eq 0 ]; then
        printf '| %s | n/a | |\n' "$label"
        return
    fi
    printf '| %s | %s | %s |\n' "$label" "$(printf '%s\n' "$@" | median)" "$*"
}

echo
echo "Docker Engine $(docker version --format '{{.Server.Version}}'), $(nproc) CPUs, $runs rounds, seconds (median, then each round)"
echo
echo "| converge of examples/chatsphere-docker | median s | rounds |"
echo "|---|---|---|"
row "plinth apply, from nothing (waits until backend and nginx are healthy)" "${plinth_up[@]}"
row "docker-compose up -d, from nothing, then until backend and nginx are healthy" "${compose_healthy[@]}"
row "plinth apply, from nothing, wait_for_health = false" "${plinth_nowait[@]}"
row "docker-compose up -d, from nothing (returns before health checks pass)" "${compose_up[@]}"
row "plinth apply, no changes" "${plinth_noop[@]}"
row "docker-compose up -d, no changes" "${compose_noop[@]}"
