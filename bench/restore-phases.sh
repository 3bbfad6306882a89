#!/usr/bin/env bash
# Where a restore's wall time goes, against the plain way: the part before the load, the load, the part after it.
#   bash bench/restore-phases.sh [SIZE_MB] [RUNS]   (default 1024 MB of plain dump, 5 runs; docs/benchmarks.md)
# Taking turns RUNS times, each after a sync and a CHECKPOINT, on the object bench/restore.sh uses:
#   plain:     createdb -T template0, then gunzip -c OBJECT | psql --single-transaction (the load);
#   pg-backup: bin/pg-backup restore with PSQL_PATH set to a wrapper (in the work dir) that writes when each psql it
#              runs starts and ends. before = the launcher's start to the start of the psql that loads
#              (--single-transaction): the JVM, Camel, listing, manifest, target check, fresh database; load = that
#              psql; after = its end to the command's exit (the rename, the stop). Fails when a restore lost rows.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

SIZE_MB="${1:-1024}"
RUNS="${2:-5}"
start_bench "$SIZE_MB"
pg_backup_env
backup_once 'benchdb_*.sql.gz'
cat "$OBJECT" > /dev/null
cat > "$WORK/psql-timed" <<EOF
#!/usr/bin/env bash
start=\$(date +%s%N); "$PG_BIN/psql" "\$@"; code=\$?
echo "\$start \$(date +%s%N) \$*" >> "$WORK/psql-times"; exit \$code
EOF
chmod +x "$WORK/psql-timed"
ms() { echo $(( ($2 - $1) / 1000000 )); }

: > "$WORK/phases"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS..." >&2
  drop_db phases_restore; settle_db
  t0=$(date +%s%N)
  "${PGENV[@]}" "$PG_BIN/createdb" -T template0 phases_restore
  t1=$(date +%s%N)
  gunzip -c "$OBJECT" | "${PGENV[@]}" "$PG_BIN/psql" -X -q --single-transaction -v ON_ERROR_STOP=1 -o /dev/null \
    -d phases_restore
  t2=$(date +%s%N)
  echo "plain $(ms "$t0" "$t2") $(ms "$t0" "$t1") $(ms "$t1" "$t2") 0 $(orders_in phases_restore)" >> "$WORK/phases"
  drop_db phases_restore; settle_db
  : > "$WORK/psql-times"
  t0=$(date +%s%N)
  PSQL_PATH="$WORK/psql-timed" bin/pg-backup restore --target-db phases_restore > /dev/null 2> "$WORK/.err" \
    || { cat "$WORK/.err" >&2; exit 1; }
  t2=$(date +%s%N)
  read -r l0 l1 < <(awk '/--single-transaction/ { print $1, $2 }' "$WORK/psql-times")
  echo "pg-backup $(ms "$t0" "$t2") $(ms "$t0" "$l0") $(ms "$l0" "$l1") $(ms "$l1" "$t2") $(orders_in phases_restore)" \
    >> "$WORK/phases"
done
drop_db phases_restore

median() { awk -v n="$1" -v c="$2" '$1 == n { v[++k] = $c } END {
  for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
  printf "%.2f", v[int((k + 1) / 2)] / 1000 }' "$WORK/phases"; }
every() { awk -v n="$1" '$1 == n { s = s (s ? " / " : "") sprintf("%.2f", $2 / 1000) } END { print s }' "$WORK/phases"; }
printf '\nplain dump: %s bytes, object %s bytes; machine: %s cores; %s runs each, taking turns\n\n' \
  "$(gunzip -c "$OBJECT" | wc -c)" "$(stat -c %s "$OBJECT")" "$(nproc)" "$RUNS"
printf '| restore | total s (median) | before the load s | load s | after the load s | every run, s |\n'
printf '|---|---|---|---|---|---|\n'
printf '| plain (before = createdb) | %s | %s | %s | %s | %s |\n' "$(median plain 2)" "$(median plain 3)" \
  "$(median plain 4)" "$(median plain 5)" "$(every plain)"
printf '| pg-backup restore | %s | %s | %s | %s | %s |\n' "$(median pg-backup 2)" "$(median pg-backup 3)" \
  "$(median pg-backup 4)" "$(median pg-backup 5)" "$(every pg-backup)"
printf '\nrows expected in every restore: %s\n' "$ROWS"
awk -v rows="$ROWS" '$6 != rows { bad = 1 } END { exit bad }' "$WORK/phases" \
  || { echo "FAILED: a restore lost rows" >&2; cat "$WORK/phases" >&2; exit 1; }
