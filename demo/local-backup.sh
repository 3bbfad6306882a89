#!/usr/bin/env bash
# A real backup on this machine, no cloud account needed:
#   1. starts a throwaway PostgreSQL 15 with sample data and a local S3-compatible server (S3Proxy, auth on),
#   2. runs `bin/pg-backup backup` (the jar with its memory settings) through the real routes in ./routes,
#   3. proves it with `pg-backup verify` (a test restore), restores it with `pg-backup restore`, compares every table,
#   4. prints key, size and duration, then removes everything it started.
# 로컬 데모: 클라우드 계정 없이 PostgreSQL + S3Proxy 를 띄워 실제 백업/복원을 수행하고 결과를 비교합니다.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
trap stop_local_servers EXIT

ROWS="${DEMO_ROWS:-200000}"
BUCKET=local-backups
S3_ACCESS=local-access-key
S3_SECRET="local-secret-$RANDOM$RANDOM"
DB_PASS="demo pass 'quoted' \$(not run) $RANDOM"

step() { printf '\n==> %s\n' "$*"; }

if [ ! -f target/pg-backup.jar ] || [ ! -d target/test-lib ] || [ -n "${DEMO_REBUILD:-}" ]; then
  step "building target/pg-backup.jar (mvn package) and fetching S3Proxy"
  mvn -B -q -DskipTests package
  mvn -B -q dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/test-lib
fi

step "starting PostgreSQL 15 and S3Proxy on 127.0.0.1"
start_postgres "superuser-$RANDOM$RANDOM"
start_s3proxy "$S3_ACCESS" "$S3_SECRET" "$BUCKET" "target/test-lib/*"
echo "PostgreSQL on port $PGPORT_LOCAL, S3Proxy at $S3_ENDPOINT_LOCAL"

step "creating database 'shop' with $ROWS orders (Hangul names, jsonb, bytea, a view, a function)"
psql_local postgres -c "CREATE ROLE backup_user LOGIN SUPERUSER PASSWORD \$pw\$$DB_PASS\$pw\$" -c "CREATE DATABASE shop"
psql_local shop <<SQL
CREATE SCHEMA "판매";
CREATE TABLE "판매"."고객" (id int PRIMARY KEY, "이름" text NOT NULL, email text);
INSERT INTO "판매"."고객" SELECT g, '고객 ' || g, 'user' || g || '@example.com' FROM generate_series(1, 5000) g;
CREATE TABLE "판매"."주문" (
  id bigserial PRIMARY KEY, customer_id int REFERENCES "판매"."고객"(id), amount numeric(12,2),
  detail jsonb, receipt bytea, ordered_at timestamptz);
INSERT INTO "판매"."주문" (customer_id, amount, detail, receipt, ordered_at)
  SELECT 1 + g % 5000, round((random() * 100000)::numeric, 2),
         jsonb_build_object('items', g % 9 + 1, 'note', md5(g::text)), decode(md5(g::text), 'hex'),
         timestamptz '2026-01-01' + g * interval '37 seconds'
  FROM generate_series(1, $ROWS) g;
CREATE VIEW "판매"."일별 매출" AS SELECT date_trunc('day', ordered_at) AS day, sum(amount) FROM "판매"."주문" GROUP BY 1;
CREATE FUNCTION "판매"."주문수"() RETURNS bigint LANGUAGE sql AS \$\$ SELECT count(*) FROM "판매"."주문" \$\$;
SQL

export DB_HOST=127.0.0.1 DB_PORT="$PGPORT_LOCAL" DB_USER=backup_user DB_NAME=shop DB_PASSWORD="$DB_PASS"
export BUCKET_NAME="$BUCKET" OBJECT_STORAGE_ENDPOINT="$S3_ENDPOINT_LOCAL" OBJECT_STORAGE_REGION=kr-standard
export OBJECT_STORAGE_ACCESS_KEY="$S3_ACCESS" OBJECT_STORAGE_SECRET_KEY="$S3_SECRET"
export PG_DUMP_PATH="$PG_BIN/pg_dump" PSQL_PATH="$PG_BIN/psql" BACKUP_WORK_DIR="$LOCAL_ROOT/work"
mkdir -p "$BACKUP_WORK_DIR"

step "pg-backup backup   (password from DB_PASSWORD here; in production from NCP Secret Manager)"
start=$(date +%s%N)
bin/pg-backup backup
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))

step "pg-backup list"
bin/pg-backup list | tee "$LOCAL_ROOT/list.txt"
key=$(awk '/\.sql\.gz/ {k=$1} END {print k}' "$LOCAL_ROOT/list.txt")
size=$(awk '/\.sql\.gz/ {s=$2} END {print s}' "$LOCAL_ROOT/list.txt")

step "pg-backup verify   (test restore into a scratch database; row counts and SHA-256 against the manifest)"
bin/pg-backup verify

step "pg-backup restore --target-db shop_restored   (a new database: loaded under a temporary name, checked, renamed)"
bin/pg-backup restore --target-db shop_restored

step "comparing every table of shop and shop_restored"
tables=$(psql_local shop -At -c "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1")
fail=0
for t in $tables; do
  q="SELECT count(*) || ' rows, md5 ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x"
  a=$(psql_local shop -At -c "$q"); b=$(psql_local shop_restored -At -c "$q")
  if [ "$a" = "$b" ]; then echo "  same  $t: $a"; else echo "  DIFF  $t: $a vs $b"; fail=1; fi
done
[ "$(find "$BACKUP_WORK_DIR" -type f | wc -l)" = 0 ] || { echo "work dir not clean:"; find "$BACKUP_WORK_DIR" -type f; fail=1; }
[ "$fail" = 0 ] || { echo "FAILED: the restored database differs" >&2; exit 1; }

step "done"
printf 'key:       %s/%s\nsize:      %s bytes (gzip)\nduration:  %s ms for the backup command (JVM start included)\nverify:    test restore OK (rows per table as dumped, SHA-256 as stored)\nrestore:   identical data in every table\n' \
  "$BUCKET" "$key" "$size" "$elapsed_ms"
