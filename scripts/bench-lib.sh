# Functions the benchmark scripts share; source it (`. "$(dirname "$0")/bench-lib.sh"`).
#
#   machine                      "2 cores, 23.5 GiB, plinth abc1234"
#   record HEADING TABLE         prints TABLE and appends it under "### <date>: HEADING, <machine>"
#                                to docs/benchmarks.md ($doc); with SECTION set, at the end of
#                                the "## SECTION" section (made at the end of the file if missing)
#   ensure_gnu_time              installs GNU time (/usr/bin/time) when it is missing
#   measure LIMIT DIR CMD...     runs CMD in DIR for at most LIMIT seconds; prints
#                                "SECONDS PEAK_MB" (wall time to the millisecond), or "timeout" /
#                                "failed" (with the end of its output on standard error)

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
doc=${doc:-$bench_root/docs/benchmarks.md}

machine() {
  local cores mem commit
  cores=$(nproc)
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  commit=$(git -C "$bench_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  echo "$cores cores, $mem, plinth $commit"
}

record() {
  local heading=$1 table=$2 entry
  printf '%s\n' "$table"
  entry=$(printf '\n### %s: %s, %s\n\n%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$heading" "$(machine)" "$table")
  if [[ -z ${SECTION:-} ]]; then
    printf '%s\n' "$entry" >>"$doc"
    return
  fi
  if ! grep -qxF "## $SECTION" "$doc" 2>/dev/null; then
    printf '\n## %s\n' "$SECTION" >>"$doc"
  fi
  # Insert at the end of SECTION's text: before the next "## " heading (or the end of the file),
  # after the section's last non-blank line.
  ENTRY=$entry awk -v section="## $SECTION" '
    $0 == section { inside = 1; print; next }
    inside && /^$/ { blanks++; next }
    inside && /^## / { print ENVIRON["ENTRY"]; print ""; inside = 0; blanks = 0 }
    { while (blanks > 0) { print ""; blanks-- } print }
    END { if (inside) print ENVIRON["ENTRY"] }
  ' "$doc" >"$doc.tmp"
  mv "$doc.tmp" "$doc"
}

ensure_gnu_time() {
  if [[ -x /usr/bin/time ]]; then return; fi
  echo "installing GNU time" >&2
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time
  else
    sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive sudo apt-get install -y -qq time
  fi
}

measure() {
  local limit=$1 dir=$2
  shift 2
  local stats="$dir/.time" log="$dir/.log"
  local status=0 start end
  start=$EPOCHREALTIME
  (cd "$dir" && timeout "$limit" /usr/bin/time -f '%M' -o "$stats" "$@") >"$log" 2>&1 || status=$?
  end=$EPOCHREALTIME
  if [[ $status -eq 124 ]]; then
    echo "timeout"
  elif [[ $status -ne 0 ]]; then
    echo "failed: $* (exit $status):" >&2
    tail -n 20 "$log" >&2
    echo "failed"
  else
    awk -v s="$start" -v e="$end" '{ printf "%.3f %.0f\n", e - s, $1 / 1024 }' "$stats"
  fi
}
