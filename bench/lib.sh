# shellcheck shell=bash
# Shared by bench/run.sh (backup) and bench/restore.sh (restore): the servers, the benchmark database and the
# measuring helpers. Source after scripts/local-servers.sh.

# start_bench SIZE_MB: the jar built if missing; PostgreSQL and S3Proxy over HTTPS (like NCP Object Storage,
# https://kr.object.ncloudstorage.com: the AWS SDK then sends UNSIGNED-PAYLOAD, as it does in production; over plain
# HTTP it signs every body, and S3Proxy's SigV4 payload check costs it about twice the CPU of the whole upload:
# docs/benchmarks.md); the role bench and benchdb of about SIZE_MB of plain dump. Sets BUCKET, S3_ACCESS, S3_SECRET,
# DB_PASS, WORK (an empty work dir) and ROWS.
start_bench() {
  BUCKET=bench
  S3_ACCESS=bench-access
  S3_SECRET="bench-secret-$RANDOM$RANDOM"
  DB_PASS="bench pw $RANDOM"
  [ -f target/pg-backup.jar ] && [ -d target/test-lib ] || {
    mvn -B -q -DskipTests package
    mvn -B -q dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/test-lib
  }
  start_postgres "super-$RANDOM$RANDOM"
  S3PROXY_TLS=1 start_s3proxy "$S3_ACCESS" "$S3_SECRET" "$BUCKET" "target/test-lib/*"
  export JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=$S3_TRUSTSTORE_LOCAL -Djavax.net.ssl.trustStorePassword=changeit"
  psql_local postgres -c "CREATE ROLE bench LOGIN SUPERUSER PASSWORD \$pw\$$DB_PASS\$pw\$" >/dev/null
  build_benchdb "$1"
  WORK="$LOCAL_ROOT/work"
  mkdir -p "$WORK"
}

# build_benchdb SIZE_MB: database benchdb with realistic rows (ids, names, amounts, timestamps, text, jsonb), about 215
# bytes of plain dump each, settled like a production database. Sets ROWS. BENCH_SHAPE=wide makes the rows wide
# instead (build_wide_benchdb).
build_benchdb() {
  [ "${BENCH_SHAPE:-narrow}" = wide ] && { build_wide_benchdb "$1"; return; }
  local size_mb=$1
  ROWS=$(( size_mb * 1024 * 1024 / 215 ))
  echo "building benchdb: $ROWS rows (~${size_mb} MB of plain dump)..." >&2
  psql_local postgres -c "CREATE DATABASE benchdb" >/dev/null
  psql_local benchdb >/dev/null <<SQL
CREATE TABLE orders (id bigint PRIMARY KEY, customer text, amount numeric(12,2), status text,
  ordered_at timestamptz, note text, detail jsonb);
INSERT INTO orders
SELECT g, 'customer-' || (g * 7919 % 100003), round((random() * 100000)::numeric, 2),
       (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],
       timestamptz '2024-01-01' + (g % 31536000) * interval '1 second',
       'order note ' || md5(g::text) || ' ' || substr(md5((g * 3)::text), 1, 12),
       jsonb_build_object('items', 1 + g % 9, 'sku', 'SKU-' || (g % 5000), 'tags', jsonb_build_array('a' || g % 13, 'b' || g % 17),
                          'ref', md5((g * 11)::text))
FROM generate_series(1::bigint, $ROWS) g;
SQL
  # A settled database, like a production one: right after a bulk load the first reads of every page write hint bits
  # and autovacuum soon starts on the new rows; both would land in whichever pipeline runs first.
  psql_local benchdb -c "VACUUM (FREEZE, ANALYZE) orders" -c "CHECKPOINT" >/dev/null
}

# build_wide_benchdb SIZE_MB: the same table name, but wide rows as an order system keeps them: 18 columns of every
# common type (integers, numerics, timestamps, dates, booleans, uuids, short and longer text, jsonb), about 250 bytes of
# plain dump a row (4M rows a GB). Each column goes through its own output function in pg_dump's COPY, so the server
# spends more CPU a byte than on the narrow rows: the shape #23 measured at 0.44x the seed. Sets ROWS.
build_wide_benchdb() {
  local size_mb=$1
  ROWS=$(( size_mb * 1024 * 1024 / 250 ))
  echo "building benchdb (wide rows): $ROWS rows (~${size_mb} MB of plain dump)..." >&2
  psql_local postgres -c "CREATE DATABASE benchdb" >/dev/null
  psql_local benchdb >/dev/null <<SQL
CREATE TABLE orders (id bigint PRIMARY KEY, shop_id integer, customer_id bigint, line_count smallint,
  amount numeric(12,2), tax numeric(10,2), discount numeric(5,2), currency char(3), paid boolean, status text,
  ordered_at timestamptz, shipped_at timestamptz, due_on date, weight_kg double precision, tracking uuid,
  customer text, address text, detail jsonb);
INSERT INTO orders
SELECT g, (g % 977)::integer, g * 7919 % 1000003, (1 + g % 9)::smallint,
       round((random() * 100000)::numeric, 2), round((random() * 10000)::numeric, 2), (g % 30)::numeric(5,2),
       (ARRAY['KRW','USD','JPY'])[1 + g % 3], g % 4 <> 0,
       (ARRAY['new','paid','shipped','delivered','returned'])[1 + g % 5],
       timestamptz '2024-01-01' + (g % 31536000) * interval '1 second',
       timestamptz '2024-01-02' + (g % 31536000) * interval '1 second' + (g % 97) * interval '1 hour',
       date '2024-01-15' + (g % 365)::integer, round((random() * 40)::numeric, 3)::double precision,
       md5(g::text)::uuid, 'customer-' || (g * 7919 % 100003),
       'Seoul ' || (g % 25) || '-gu ' || substr(md5((g * 3)::text), 1, 10) || '-ro ' || (g % 300),
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'gift', g % 7 = 0)
FROM generate_series(1::bigint, $ROWS) g;
SQL
  psql_local benchdb -c "VACUUM (FREEZE, ANALYZE) orders" -c "CHECKPOINT" >/dev/null
}

# peak bytes under a folder while a command runs: polls every 0.1 s until PIDFILE is removed
peak_du() { local dir=$1 pidfile=$2 peak=0 now; while [ -f "$pidfile" ]; do now=$(du -sb "$dir" 2>/dev/null | cut -f1); [ "${now:-0}" -gt "$peak" ] && peak=$now; sleep 0.1; done; echo "$peak"; }
# seconds between two `date +%s%N` readings
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }
# Before every timed pipeline: the page cache's dirty pages (files, the store's objects, the database) are written
# out first, so that no pipeline pays for the disk writes of the one before it.
settle() { sync; }

# pg_backup_env: what bin/pg-backup reads (application.properties' variables) pointed at the bench servers and
# benchdb, BACKUP_WORK_DIR=WORK; and PGENV, the prefix that runs a PostgreSQL client as the bench role.
pg_backup_env() {
  export DB_HOST=127.0.0.1 DB_PORT="$PGPORT_LOCAL" DB_USER=bench DB_NAME=benchdb DB_PASSWORD="$DB_PASS"
  export BUCKET_NAME="$BUCKET" OBJECT_STORAGE_ENDPOINT="$S3_ENDPOINT_LOCAL" OBJECT_STORAGE_ACCESS_KEY="$S3_ACCESS"
  export OBJECT_STORAGE_SECRET_KEY="$S3_SECRET" PG_DUMP_PATH="$PG_BIN/pg_dump" PSQL_PATH="$PG_BIN/psql"
  export BACKUP_WORK_DIR="$WORK"
  PGENV=(env PGPASSWORD="$DB_PASS" PGHOST=127.0.0.1 PGPORT="$PGPORT_LOCAL" PGUSER=bench)
}

# backup_once PATTERN: one backup of benchdb by pg-backup (after pg_backup_env); sets OBJECT, the stored file whose
# name matches PATTERN (benchdb_*.sql.gz, benchdb_*.dump.gz)
backup_once() {
  echo "backing up benchdb once (pg-backup, ${BACKUP_FORMAT:-plain}, gzip)..." >&2
  bin/pg-backup backup 2> "$WORK/backup.log" || { cat "$WORK/backup.log" >&2; exit 1; }
  OBJECT=$(find "$LOCAL_ROOT/s3/$BUCKET" -type f -name "$1" | head -1)
  [ -n "$OBJECT" ] || { echo "FAILED: no $1 in the store" >&2; cat "$WORK/backup.log" >&2; exit 1; }
}

# orders_in DB: the rows of bench's table (build_benchdb) in database DB, as the check of a restore
orders_in() { "${PGENV[@]}" "$PG_BIN/psql" -X -At -d "$1" -c "SELECT count(*) FROM orders"; }
# drop_db NAME: the database gone, sessions or not
drop_db() { "${PGENV[@]}" PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
# Before each timed restore: the previous one's dirty pages written out, and a checkpoint, so that no restore pays for
# another's writes (a large load also triggers checkpoints of its own: every restore pays for those alike)
settle_db() { settle; psql_local postgres -c CHECKPOINT >/dev/null; }
