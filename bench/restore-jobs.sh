#!/usr/bin/env bash
# Benchmark of restore --jobs (issue #15): parallel pg_restore against the single-process streaming restore of the SAME
# custom-format backup, on the same PostgreSQL.
#   bash bench/restore-jobs.sh [SIZE_MB] [RUNS]   (default 1024 MB of plain dump, 3 runs; docs/benchmarks.md has the numbers)
# The database is not bench/lib.sh's one table: four tables of about SIZE_MB/4 of plain dump each (customers, orders,
# line_items, events: ids, text, numeric, timestamps, inet, jsonb), each with a primary key and two secondary indexes
# (customers' email unique), settled like a production database. It is backed up once by pg-backup with
# BACKUP_FORMAT=custom (pg_dump's custom-format archive, gzip level 1) to S3Proxy over HTTPS (like NCP). Then, taking
# turns RUNS times, each with the previous target dropped, `sync` and a CHECKPOINT before it:
#   stream:  bin/pg-backup restore --target-db NAME: one pg_restore reading the download as it streams, its SQL into
#            psql in one transaction; no disk; rows checked from psql's COPY tags; renamed into place
#   jobs:    bin/pg-backup restore --target-db NAME --jobs 2: the object downloaded, decompressed and written to
#            BACKUP_WORK_DIR (checked against its manifest), pg_restore --jobs=2 into a fresh database, the rows of every
#            table counted, renamed into place, the file removed
#   floor:   createdb -T template0; pg_restore --jobs=2 --exit-on-error -d NAME FILE, from the archive already
#            decompressed to a local file (in the page cache): what --jobs 2 costs with no download, no checks, no JVM
# Prints the median wall time and every run's, peak RSS (largest process of the command, /usr/bin/time), peak bytes in
# BACKUP_WORK_DIR (polled every 0.1 s), the rows restored (every table's count(*) must equal the source's: the script
# fails otherwise), and CPU seconds of the median run: the command with its children (JVM, pg_restore, psql), the
# PostgreSQL server (postmaster and every backend, exited ones included), S3Proxy, and the rest of the machine (other
# work on a shared machine competes for the same 2 cores; this script's own polling is counted there too); for --jobs also its phases (before / writing the archive /
# loading it), from when the file in BACKUP_WORK_DIR appeared, was whole and was removed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

SIZE_MB="${1:-1024}"
RUNS="${2:-3}"
JOBS=2
TABLES=(customers orders line_items events)

# Replaces bench/lib.sh's build_benchdb (start_bench calls it): several large tables with indexes instead of one.
# Bytes of plain dump a row, measured on this data (pg_dump --data-only of 100,000 rows of each table): customers 242,
# orders 205, line_items 137, events 159; each table gets a quarter of SIZE_MB. Indexes are built after the load.
build_benchdb() {
  local bytes=$(( $1 * 1024 * 1024 / 4 ))
  local c=$(( bytes / 242 )) o=$(( bytes / 205 )) l=$(( bytes / 137 )) e=$(( bytes / 159 ))
  ROWS=$(( c + o + l + e ))
  echo "building benchdb: customers $c, orders $o, line_items $l, events $e rows (~$1 MB of plain dump)..." >&2
  psql_local postgres -c "CREATE DATABASE benchdb" >/dev/null
  psql_local benchdb >/dev/null <<SQL
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, country text, tier smallint,
  balance numeric(14,2), created_at timestamptz, last_login timestamptz, profile jsonb);
INSERT INTO customers
SELECT g, 'Customer ' || substr(md5(g::text), 1, 10) || ' ' || (g % 977),
       'user' || g || '@' || (ARRAY['example.com','mail.test','corp.example','shop.test'])[1 + g % 4],
       (ARRAY['KR','JP','US','DE','FR','VN','SG'])[1 + g % 7], (g % 4)::smallint,
       round((random() * 1000000)::numeric, 2),
       timestamptz '2020-01-01' + (g % 126144000) * interval '1 second',
       timestamptz '2024-06-01' + ((g * 37) % 15552000) * interval '1 second',
       jsonb_build_object('lang', (ARRAY['ko','ja','en','de'])[1 + g % 4], 'newsletter', g % 3 = 0,
                          'address', jsonb_build_object('city', 'City-' || (g % 4999), 'zip', lpad((g % 99999)::text, 5, '0')),
                          'token', md5((g * 13)::text))
FROM generate_series(1::bigint, $c) g;

CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric(12,2), status text,
  ordered_at timestamptz, note text, detail jsonb);
INSERT INTO orders
SELECT g, 1 + (g * 7919) % $c, round((random() * 100000)::numeric, 2),
       (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],
       timestamptz '2024-01-01' + (g % 31536000) * interval '1 second',
       'order note ' || md5(g::text) || ' ' || substr(md5((g * 3)::text), 1, 12),
       jsonb_build_object('items', 1 + g % 9, 'sku', 'SKU-' || (g % 5000), 'tags', jsonb_build_array('a' || g % 13, 'b' || g % 17),
                          'ref', md5((g * 11)::text))
FROM generate_series(1::bigint, $o) g;

CREATE TABLE line_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, sku text, quantity integer,
  unit_price numeric(10,2), discount numeric(5,2), added_at timestamptz, description text);
INSERT INTO line_items
SELECT g, 1 + g % $o, 'SKU-' || lpad((g * 31 % 50000)::text, 5, '0'), 1 + g % 12,
       round((1 + random() * 999)::numeric, 2), (g % 20)::numeric / 2,
       timestamptz '2024-01-01' + (g % 31536000) * interval '1 second' + interval '5 minutes',
       'item ' || substr(md5((g * 7)::text), 1, 20) || ' colour ' || (ARRAY['red','blue','black','white','green'])[1 + g % 5]
         || ' size ' || (ARRAY['S','M','L','XL'])[1 + g % 4] || ' ' || md5((g * 5)::text)
FROM generate_series(1::bigint, $l) g;

CREATE TABLE events (id bigint PRIMARY KEY, customer_id bigint NOT NULL, kind text, happened_at timestamptz,
  source_ip inet, amount numeric(12,2), payload jsonb);
INSERT INTO events
SELECT g, 1 + (g * 104729) % $c, (ARRAY['login','view','cart','checkout','refund','logout'])[1 + g % 6],
       timestamptz '2024-01-01' + (g * 17 % 31536000) * interval '1 second',
       ('10.' || (g % 256) || '.' || (g / 256 % 256) || '.' || (g / 65536 % 256))::inet,
       CASE WHEN g % 6 IN (3, 4) THEN round((random() * 5000)::numeric, 2) END,
       jsonb_build_object('session', md5((g * 17)::text), 'page', '/p/' || (g % 10007), 'agent',
                          (ARRAY['Mozilla/5.0 (X11; Linux x86_64)','Mozilla/5.0 (Macintosh)','okhttp/4.12'])[1 + g % 3])
FROM generate_series(1::bigint, $e) g;

CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE INDEX customers_country_created ON customers (country, created_at);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_ordered_at ON orders (ordered_at);
CREATE INDEX line_items_order ON line_items (order_id);
CREATE INDEX line_items_sku ON line_items (sku);
CREATE INDEX events_customer_time ON events (customer_id, happened_at);
CREATE INDEX events_happened_at ON events (happened_at);
SQL
  # settled like a production database (bench/lib.sh: hint bits and autovacuum would otherwise land in the first run)
  psql_local benchdb -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT" >/dev/null
}

start_bench "$SIZE_MB"
pg_backup_env
export PG_RESTORE_PATH="$PG_BIN/pg_restore" BACKUP_FORMAT=custom
# BACKUP_WORK_DIR holds nothing but what pg-backup writes there: its peak is the restore's disk use
export BACKUP_WORK_DIR="$WORK/pg-backup-work"
FLOOR_DIR="$LOCAL_ROOT/floor"
mkdir -p "$BACKUP_WORK_DIR" "$FLOOR_DIR"

backup_once 'benchdb_*.dump.gz'
ARCHIVE="$FLOOR_DIR/benchdb.dump"
gunzip -c "$OBJECT" > "$ARCHIVE"
archive_bytes=$(stat -c %s "$ARCHIVE")
plain_bytes=$("${PGENV[@]}" "$PG_BIN/pg_dump" -F p -d benchdb | wc -c)

# "customers=N orders=N ..." of a database, and the total
rows_of() {
  local db=$1 t q=""
  for t in "${TABLES[@]}"; do q="$q${q:+ UNION ALL }SELECT '$t=' || count(*) FROM $t"; done
  "${PGENV[@]}" "$PG_BIN/psql" -X -At -d "$db" -c "$q" | sort | paste -sd' '
}
total_of() { tr ' ' '\n' <<< "$1" | awk -F= '{ s += $2 } END { printf "%.0f", s }'; }
SOURCE_ROWS=$(rows_of benchdb)
SOURCE_TOTAL=$(total_of "$SOURCE_ROWS")
echo "source: $SOURCE_ROWS (total $SOURCE_TOTAL); archive $archive_bytes bytes, plain dump $plain_bytes bytes" >&2
check_rows() { # NAME DB: every table as in the source, or the whole script fails
  local got; got=$(rows_of "$2")
  [ "$got" = "$SOURCE_ROWS" ] || { echo "FAILED: $1 restored '$got', the source has '$SOURCE_ROWS'" >&2; exit 1; }
}

HZ=$(getconf CLK_TCK)
POSTMASTER=$(head -1 "$PGDATA_LOCAL/postmaster.pid")
# CPU ticks of the PostgreSQL server so far: the postmaster with its reaped children (exited backends, parallel
# workers) and its live children (checkpointer, walwriter, backends still running)
server_ticks() {
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$POSTMASTER/stat"
    for p in $(cat "/proc/$POSTMASTER/task/$POSTMASTER/children" 2>/dev/null); do
      awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || true
    done; } | awk '{ s += $1 } END { print s + 0 }'
}
store_ticks() { awk '{ print $14 + $15 }' "/proc/$S3PROXY_PID/stat"; }
# busy ticks of the whole box (every core, every process on the machine, other work included)
box_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# bench/lib.sh's peak_du, which also notes when the work dir's archive appeared, was whole and was gone:
# polls every 0.1 s until PIDFILE is removed; prints "peak_bytes t_first t_full t_gone" (date +%s%N; 0 = never)
watch_work() {
  local dir=$1 pidfile=$2 full=$3 base peak=0 now used first=0 whole=0 gone=0
  base=$(du -sb "$dir" | cut -f1)   # the empty folder itself (4096)
  while [ -f "$pidfile" ]; do
    now=$(du -sb "$dir" 2>/dev/null | cut -f1); used=$(( ${now:-$base} - base ))
    [ "$used" -gt "$peak" ] && peak=$used
    if [ "$used" -gt 0 ] && [ "$first" = 0 ]; then first=$(date +%s%N); fi
    if [ "$used" -ge "$full" ] && [ "$whole" = 0 ]; then whole=$(date +%s%N); fi
    if [ "$used" -le 0 ] && [ "$whole" != 0 ] && [ "$gone" = 0 ]; then gone=$(date +%s%N); fi
    sleep 0.1
  done
  echo "$peak $first $whole $gone"
}

# run_restore NAME TARGET: one timed restore -> a line in $WORK/results:
#   NAME wall_s rss_kib peak_workdir_bytes rows client_cpu_s server_cpu_s store_cpu_s other_cpu_s before_s write_s load_s
# (other: the rest of the machine's CPU in that time; before/write/load: --jobs' phases from the work dir, see below)
run_restore() {
  local name=$1 target=$2 t0 t1 s0 s1 st0 st1 b0 b1 rss u s peak first whole gone
  drop_db "$target"; settle_db
  if [ "$name" = floor ]; then cat "$ARCHIVE" > /dev/null; fi   # in the page cache, as --jobs' file is after writing
  touch "$WORK/.running"; watch_work "$BACKUP_WORK_DIR" "$WORK/.running" "$archive_bytes" > "$WORK/.peak" & PEAK_PID=$!
  s0=$(server_ticks); st0=$(store_ticks); b0=$(box_ticks)
  t0=$(date +%s%N)
  case $name in
    stream) /usr/bin/time -f "%M %U %S" -o "$WORK/.time" bin/pg-backup restore --target-db "$target" \
              > "$WORK/$name.out" 2> "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; exit 1; } ;;
    jobs)   /usr/bin/time -f "%M %U %S" -o "$WORK/.time" bin/pg-backup restore --target-db "$target" --jobs "$JOBS" \
              > "$WORK/$name.out" 2> "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; exit 1; } ;;
    floor)  /usr/bin/time -f "%M %U %S" -o "$WORK/.time" bash -c '
              set -e
              "$@" "'"$PG_BIN"'/createdb" -T template0 "'"$target"'"
              "$@" "'"$PG_BIN"'/pg_restore" --jobs='"$JOBS"' --no-password --exit-on-error -d "'"$target"'" "'"$ARCHIVE"'"
            ' _ "${PGENV[@]}" > "$WORK/$name.out" 2> "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; exit 1; } ;;
  esac
  t1=$(date +%s%N)
  s1=$(server_ticks); st1=$(store_ticks); b1=$(box_ticks)
  rm -f "$WORK/.running"; wait "$PEAK_PID"; read -r peak first whole gone < "$WORK/.peak"
  read -r rss u s < "$WORK/.time"
  check_rows "$name" "$target"
  [ -z "$(ls -A "$BACKUP_WORK_DIR")" ] || { echo "FAILED: $name left files in BACKUP_WORK_DIR:" >&2; ls -la "$BACKUP_WORK_DIR" >&2; exit 1; }
  echo "$name $(secs "$t0" "$t1") $rss $peak $SOURCE_TOTAL" \
    "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')" \
    "$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) / hz }')" \
    "$(awk -v a="$st0" -v b="$st1" -v hz="$HZ" 'BEGIN { printf "%.1f", (b - a) / hz }')" \
    "$(awk -v a="$b0" -v b="$b1" -v c="$s0" -v d="$s1" -v e="$st0" -v f="$st1" -v u="$u" -v s="$s" -v hz="$HZ" \
         'BEGIN { printf "%.1f", ((b - a) - (d - c) - (f - e)) / hz - u - s }')" \
    "$(phases "$t0" "$first" "$whole" "$gone")" >> "$WORK/results"
  cp "$WORK/$name.log" "$WORK/last-$name.log"
  drop_db "$target"
}

# --jobs' phases, from the work dir: "before write load" seconds (JVM start, listing, manifest, checks, fresh database
# until the archive's first bytes; the download written until the file is whole; pg_restore -j, the row counts and
# the rename until the file is removed), or "- - -" for a restore that writes no file
phases() {
  if [ "$3" = 0 ] || [ "$4" = 0 ]; then echo "- - -"; return; fi
  echo "$(secs "$1" "$2") $(secs "$2" "$3") $(secs "$3" "$4")"
}

: > "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS (load $(cut -d' ' -f1-3 /proc/loadavg))..." >&2
  run_restore stream stream_restore
  run_restore jobs jobs_restore
  run_restore floor floor_restore
  tail -3 "$WORK/results" >&2
done

summary() { # NAME -> "median|every run|max rss KiB|max work-dir bytes|min rows|CPU s cmd / server / store / rest|phases" (CPU and phases: of the median run)
  awk -v n="$1" '$1 == n { k++; t[k] = $2; line[k] = $0; all = all (all ? " / " : "") $2; if ($3 > r) r = $3
      if ($4 > p) p = $4; if (rows == "" || $5 < rows) rows = $5 }
    END { for (i = 1; i <= k; i++) o[i] = i
          for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (t[o[j]] < t[o[i]]) { x = o[i]; o[i] = o[j]; o[j] = x }
          split(line[o[int((k + 1) / 2)]], m, " ")
          printf "%s|%s|%.0f|%.0f|%s|%s / %s / %s / %s|%s %s %s\n", m[2], all, r, p, rows, m[6], m[7], m[8], m[9], m[10], m[11], m[12] }' "$WORK/results"
}
IFS='|' read -r s_time s_all s_rss s_peak s_rows s_cpu _ < <(summary stream)
IFS='|' read -r j_time j_all j_rss j_peak j_rows j_cpu j_phases < <(summary jobs)
IFS='|' read -r f_time f_all f_rss _ f_rows f_cpu _ < <(summary floor)
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

printf '\nplain dump: %s bytes; custom archive: %s bytes (object %s bytes); %s rows (%s); machine: %s cores, %s\n\n' \
  "$plain_bytes" "$archive_bytes" "$(stat -c %s "$OBJECT")" "$SOURCE_TOTAL" "$SOURCE_ROWS" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '| restore | wall s (median) | every run, s | peak RSS MiB | peak work-dir MB | rows restored | CPU s of the median run: command / PostgreSQL / S3Proxy / rest of the machine |\n'
printf '|---|---|---|---|---|---|---|\n'
printf '| pg-backup restore (one pg_restore, streaming into psql) | %s | %s | %d | %s | %s | %s |\n' \
  "$s_time" "$s_all" $((s_rss / 1024)) "$(mb "$s_peak")" "$s_rows" "$s_cpu"
printf '| pg-backup restore --jobs %s (archive in BACKUP_WORK_DIR, pg_restore -j %s) | %s | %s | %d | %s | %s | %s |\n' \
  "$JOBS" "$JOBS" "$j_time" "$j_all" $((j_rss / 1024)) "$(mb "$j_peak")" "$j_rows" "$j_cpu"
printf '| floor: createdb; pg_restore -j %s from the decompressed local file | %s | %s | %d | 0 (reads a %s MB file made beforehand) | %s | %s |\n' \
  "$JOBS" "$f_time" "$f_all" $((f_rss / 1024)) "$(mb "$archive_bytes")" "$f_rows" "$f_cpu"
printf '\nratio --jobs %s / stream = %s; floor / stream = %s; rows: %s in every restore, every table equal to the source\n' "$JOBS" \
  "$(awk -v a="$j_time" -v b="$s_time" 'BEGIN{printf "%.3f", a/b}')" \
  "$(awk -v a="$f_time" -v b="$s_time" 'BEGIN{printf "%.3f", a/b}')" "$SOURCE_TOTAL"
read -r jb jw jl <<< "$j_phases"
printf -- '--jobs %s, median run, from the work dir (0.1 s polls): %s s until the archive'"'"'s first byte (JVM, listing, checks, fresh database), %s s writing it (download, decompression, checks), %s s pg_restore -j %s + row counts + rename until it was removed\n' \
  "$JOBS" "$jb" "$jw" "$jl" "$JOBS"
printf 'every run (NAME wall_s rss_kib peak_bytes rows cpu_cmd cpu_pg cpu_s3 cpu_rest before write load):\n'; cat "$WORK/results"
printf 'last stream run, from its log:\n'; grep -E 'INFO|WARN' "$WORK/last-stream.log" | tail -4 | cut -c1-220
printf 'last --jobs run, from its log:\n'; grep -E 'INFO|WARN' "$WORK/last-jobs.log" | tail -6 | cut -c1-220
