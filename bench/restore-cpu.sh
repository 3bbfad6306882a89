#!/usr/bin/env bash
# Where a restore's CPU goes: `pg-backup restore` against the plain way, `gunzip -c OBJECT | psql --single-transaction`,
# for the same object (bench/restore.sh measures wall time; this one the CPU seconds of every process taking part).
#   bash bench/restore-cpu.sh [SIZE_MB] [RUNS]   (default 1024 MB of plain dump, 2 runs; docs/benchmarks.md)
# Per run, taking turns, each after a sync and a CHECKPOINT:
#   client:   the restoring command and its children (plain: bash, createdb, gunzip, psql; pg-backup: the JVM, psql);
#   postgres: every PostgreSQL process (backends, parallel index workers, checkpointer, WAL writer), from the
#             postmaster's own and its children's CPU time in /proc;
#   store:    the co-located S3Proxy serving the object over HTTPS (a remote Object Storage takes this off the host).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

SIZE_MB="${1:-1024}"
RUNS="${2:-2}"
start_bench "$SIZE_MB"
pg_backup_env
backup_once 'benchdb_*.sql.gz'
cat "$OBJECT" > /dev/null

TICK=$(getconf CLK_TCK)
postmaster=$(head -1 "$PGDATA_LOCAL/postmaster.pid")
# CPU ticks: the postmaster's own and its reaped children's, plus its live children's
postgres_ticks() {
  local t p
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")
  for p in $(pgrep -P "$postmaster"); do t=$(( t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0) )); done
  echo "$t"
}
store_ticks() { awk '{ print $14 + $15 }' "/proc/$S3PROXY_PID/stat"; }

measure() { # NAME COMMAND... -> a line: name wall client_user client_sys postgres store rows
  local name=$1 p0 s0 p1 s1
  shift
  drop_db cpu_restore; settle_db
  p0=$(postgres_ticks); s0=$(store_ticks)
  /usr/bin/time -f "%e %U %S" -o "$WORK/.time" "$@" > /dev/null 2> "$WORK/.err" || { cat "$WORK/.err" >&2; exit 1; }
  # the loading backend may still be exiting: read once the postmaster has reaped it (its time then in the
  # postmaster's children's time); read while it exits, it would be counted nowhere
  sleep 2
  p1=$(postgres_ticks); s1=$(store_ticks)
  read -r wall user sys < "$WORK/.time"
  echo "$name $wall $user $sys $(awk -v a="$p0" -v b="$p1" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a) / t }') $(awk -v a="$s0" -v b="$s1" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a) / t }') $(orders_in cpu_restore)" >> "$WORK/cpu"
}

: > "$WORK/cpu"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS..." >&2
  measure plain bash -c '"$@" "'"$PG_BIN"'/createdb" -T template0 cpu_restore && set -o pipefail &&
    gunzip -c "'"$OBJECT"'" | "$@" "'"$PG_BIN"'/psql" -X -q --single-transaction -v ON_ERROR_STOP=1 -o /dev/null -d cpu_restore' _ "${PGENV[@]}"
  measure pg-backup bin/pg-backup restore --target-db cpu_restore
done
drop_db cpu_restore

printf '\nplain dump: %s bytes (%d rows), object %s bytes; machine: %s cores\n\n' "$(gunzip -c "$OBJECT" | wc -c)" "$ROWS" \
  "$(stat -c %s "$OBJECT")" "$(nproc)"
printf '| run | wall s | client CPU s (user + system) | PostgreSQL CPU s | store CPU s | all CPU s | rows |\n|---|---|---|---|---|---|---|\n'
awk '{ printf "| %s | %s | %.2f (%s + %s) | %s | %s | %.2f | %s |\n", $1, $2, $3 + $4, $3, $4, $5, $6, $3 + $4 + $5 + $6, $7 }' "$WORK/cpu"
awk -v rows="$ROWS" '$7 != rows { bad = 1 } END { exit bad }' "$WORK/cpu" || { echo "FAILED: a restore lost rows" >&2; exit 1; }
