#!/usr/bin/env bash
# Benchmark of start-up: `bin/pg-backup list` (and a restore of a tiny database: start-up is most of it) with each
# Java the launcher can run, from / (no ./routes: the jar's routes, loaded by name) and from the project folder.
#   bash bench/startup.sh [RUNS]   (default 9; docs/benchmarks.md, "Start-up", has the numbers)
# Variants, taking turns RUNS times, against S3Proxy over HTTPS on loopback holding one backup with its manifest:
#   java25-aot:   the launcher's first choice, Java 25 with the AOT cache made at mvn package (from /)
#   java25-aot-project: the same from the project folder (./routes read from disk)
#   java17-cds:   JAVA=Java 17 with the class-data-sharing archive (the fallback)
#   java25-plain: Java 25 without a cache (PG_BACKUP_CDS=off)
#   before-java25-aot: with BEFORE=DIR (a checkout of another commit, built with mvn package), that build's launcher
#                 the same way as java25-aot, taking turns with it (a before/after of a change)
# Prints the median and every run's wall time of each.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

RUNS="${1:-9}"
JAVA17="${JAVA17:-$(ls -d /usr/lib/jvm/*17*/bin/java 2>/dev/null | head -1)}"
[ -x "$JAVA17" ] || { echo "no Java 17 under /usr/lib/jvm (set JAVA17)" >&2; exit 2; }
start_bench 2
pg_backup_env
backup_once 'benchdb_*.sql.gz'
project="$PWD"
unset JAVA JAVA_HOME

timed() { # NAME DIR [ENV...] -- COMMAND...: appends "NAME seconds" to results
  local name=$1 dir=$2; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  local t0 t1
  t0=$(date +%s%N)
  (cd "$dir" && env "${envs[@]}" "$@" > /dev/null 2> "$WORK/$name.log") || { cat "$WORK/$name.log" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "$name $(secs "$t0" "$t1")" >> "$WORK/results"
}

: > "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  timed java25-aot / -- "$project/bin/pg-backup" list
  if [ -n "${BEFORE:-}" ]; then timed before-java25-aot / -- "$BEFORE/bin/pg-backup" list; fi
  timed java25-aot-project "$project" -- bin/pg-backup list
  timed java17-cds / JAVA="$JAVA17" -- "$project/bin/pg-backup" list
  timed java25-plain / PG_BACKUP_CDS=off -- "$project/bin/pg-backup" list
  timed restore-java25-aot / -- "$project/bin/pg-backup" restore --target-db "startup_a_$run"
  timed restore-java17-cds / JAVA="$JAVA17" -- "$project/bin/pg-backup" restore --target-db "startup_b_$run"
done

printf '\nmachine: %s cores, %s; %s runs each, taking turns\n\n' "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$RUNS"
printf '| command | Java, cache, folder | median s | every run, s |\n|---|---|---|---|\n'
for name in java25-aot ${BEFORE:+before-java25-aot} java25-aot-project java17-cds java25-plain restore-java25-aot restore-java17-cds; do
  awk -v n="$name" '$1 == n { t[++k] = $2; all = all (all ? " / " : "") $2 }
    END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
          split(n, p, "-"); cmd = (p[1] == "restore") ? "restore (tiny database)" : "list"
          printf "| %s | %s | %s | %s |\n", cmd, n, t[int((k + 1) / 2)], all }' "$WORK/results"
done
