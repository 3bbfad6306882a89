#!/usr/bin/env bash
# Benchmark of restore: `pg-backup restore` against the plain way, `gunzip -c OBJECT | psql --single-transaction`,
# for the same object of the same database, on the same PostgreSQL.
#   bash bench/restore.sh [SIZE_MB] [RUNS]   (default 500 MB of plain dump, 3 runs; docs/benchmarks.md has the numbers)
# The database (bench/lib.sh: realistic rows, a primary key) is backed up once by pg-backup to S3Proxy over HTTPS
# (like NCP). Then, taking turns RUNS times:
#   plain:     createdb -T template0; gunzip -c OBJECT | psql --single-transaction -v ON_ERROR_STOP=1  (the object is
#              a local file, already in the page cache: the plain way is given every advantage)
#   fetched:   the same, the object read from the store as pg-backup reads it: createdb; curl GET over HTTPS (SigV4,
#              the store's certificate checked) | gunzip | psql --single-transaction (issue #23 measured this one)
#   pg-backup: bin/pg-backup restore --target-db NAME: JVM start, listing, manifest, the object downloaded over HTTPS,
#              SHA-256 and sizes checked while it loads into a temporary database, rows counted, renamed into place
# Prints the median wall time and every run's, peak RSS, peak bytes in BACKUP_WORK_DIR, the rows restored, and the
# ratios pg-backup / plain (target: <= 1.1) and pg-backup / fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

SIZE_MB="${1:-500}"
RUNS="${2:-3}"
start_bench "$SIZE_MB"
pg_backup_env
backup_once 'benchdb_*.sql.gz'
raw=$(gunzip -c "$OBJECT" | wc -c)
cat "$OBJECT" > /dev/null   # in the page cache for the plain way

# the object's key in the store, and curl's settings for it (the keys in a file of the work dir, not on curl's argv)
object_key="${OBJECT#"$LOCAL_ROOT/s3/$BUCKET/"}"
( umask 077; printf 'user = "%s:%s"\n' "$S3_ACCESS" "$S3_SECRET" > "$WORK/.curl-keys" )


# run_piped NAME READER: createdb NAME_restore, then READER (shell words writing the dump's SQL to stdout) | psql
# --single-transaction into it, timed with the peak RSS of its largest process; sets NAME_time, NAME_rss, NAME_rows
run_piped() {
  local name=$1 reader=$2 t0 t1
  drop_db "${name}_restore"; settle_db
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/.rss-$name" bash -c '
    set -eo pipefail
    "$@" "'"$PG_BIN"'/createdb" -T template0 "'"${name}_restore"'"
    '"$reader"' | "$@" "'"$PG_BIN"'/psql" -X -q --single-transaction -v ON_ERROR_STOP=1 -o /dev/null -d "'"${name}_restore"'"
  ' _ "${PGENV[@]}"
  t1=$(date +%s%N)
  printf -v "${name}_time" '%s' "$(secs "$t0" "$t1")"
  printf -v "${name}_rss" '%s' "$(tail -1 "$WORK/.rss-$name")"
  printf -v "${name}_rows" '%s' "$(orders_in "${name}_restore")"
  drop_db "${name}_restore"
}
# the object as a local file, and as the store serves it (curl's keys from its config file, not its argv)
plain_reader='gunzip -c "'"$OBJECT"'"'
fetched_reader='curl -sS --fail -K "'"$WORK/.curl-keys"'" --aws-sigv4 "aws:amz:'"${OBJECT_STORAGE_REGION:-kr-standard}"':s3" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --cacert "'"$S3_CA_LOCAL"'" "'"$S3_ENDPOINT_LOCAL/$BUCKET/$object_key"'" | gunzip -c'

run_ours() { # -> ours_time ours_rss ours_peak ours_rows
  local t0 t1
  drop_db ours_restore; settle_db
  touch "$WORK/.running"; peak_du "$WORK" "$WORK/.running" > "$WORK/.peak" & PEAK_PID=$!
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$WORK/.rss-ours" bin/pg-backup restore --target-db ours_restore > "$WORK/restore.out" \
    2> "$WORK/restore.log" || { cat "$WORK/restore.log" >&2; exit 1; }
  t1=$(date +%s%N); rm -f "$WORK/.running"; wait "$PEAK_PID"
  ours_time=$(secs "$t0" "$t1"); ours_rss=$(tail -1 "$WORK/.rss-ours"); ours_peak=$(cat "$WORK/.peak")
  ours_rows=$(orders_in ours_restore)
  cp "$WORK/restore.log" /tmp/bench-restore.log 2>/dev/null || true
  drop_db ours_restore
}

: > "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS..." >&2
  run_piped plain "$plain_reader"; echo "plain $plain_time $plain_rss 0 $plain_rows" >> "$WORK/results"
  run_piped fetched "$fetched_reader"; echo "fetched $fetched_time $fetched_rss 0 $fetched_rows" >> "$WORK/results"
  run_ours; echo "ours $ours_time $ours_rss $ours_peak $ours_rows" >> "$WORK/results"
done
summary() { # NAME -> "median|every run|max rss KiB|max work-dir bytes|min rows"
  awk -v n="$1" '$1 == n { t[++k] = $2; all = all (all ? " / " : "") $2; if ($3 > r) r = $3; if ($4 > p) p = $4
      if (rows == "" || $5 < rows) rows = $5 }
    END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
          printf "%s|%s|%.0f|%.0f|%s\n", t[int((k + 1) / 2)], all, r, p, rows }' "$WORK/results"
}
IFS='|' read -r p_time p_all p_rss _ p_rows < <(summary plain)
IFS='|' read -r f_time f_all f_rss _ f_rows < <(summary fetched)
IFS='|' read -r o_time o_all o_rss o_peak o_rows < <(summary ours)

printf '\nplain dump: %s bytes (%d rows), object %s bytes; machine: %s cores, %s\n\n' "$raw" "$ROWS" "$(stat -c %s "$OBJECT")" \
  "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '| restore | wall s (median) | every run, s | peak RSS MiB | peak work-dir MB | rows restored |\n|---|---|---|---|---|---|\n'
printf '| plain: createdb; gunzip -c OBJECT | psql --single-transaction | %s | %s | %d (largest process) | 0 (reads a local file) | %s |\n' \
  "$p_time" "$p_all" $((p_rss / 1024)) "$p_rows"
printf '| fetched: createdb; curl GET over HTTPS | gunzip | psql --single-transaction | %s | %s | %d (largest process) | 0 | %s |\n' \
  "$f_time" "$f_all" $((f_rss / 1024)) "$f_rows"
printf '| pg-backup restore (JVM start, download over HTTPS, checks, rename) | %s | %s | %d | %.1f | %s |\n' \
  "$o_time" "$o_all" $((o_rss / 1024)) "$(awk -v b="$o_peak" 'BEGIN{print b/1e6}')" "$o_rows"
printf '\nratio pg-backup / plain = %s (target <= 1.1); pg-backup / fetched = %s; rows expected %s\n' \
  "$(awk -v a="$o_time" -v b="$p_time" 'BEGIN{printf "%.3f", a/b}')" \
  "$(awk -v a="$o_time" -v b="$f_time" 'BEGIN{printf "%.3f", a/b}')" "$ROWS"
[ "$p_rows" = "$ROWS" ] && [ "$f_rows" = "$ROWS" ] && [ "$o_rows" = "$ROWS" ] || { echo "FAILED: a restore lost rows" >&2; exit 1; }
printf 'pg-backup timings from its log: %s\n' "$(grep -o 'done: .*' /tmp/bench-restore.log | tail -1)"
