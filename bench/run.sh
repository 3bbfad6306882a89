#!/usr/bin/env bash
# Benchmark: the seed pipeline (pg_dump > file; gzip; curl PUT with SigV2, as in the blog's script) against
# pg-backup (gzip, zstd, and gzip with OpenPGP encryption), on the same database and the same S3Proxy, in one run.
# Also the floor: pg_dump > /dev/null.
#   bash bench/run.sh [SIZE_MB] [RUNS]   (default 100 MB, 1 run; docs/benchmarks.md was made with 2048 3)
#   BENCH_SHAPE=wide bash bench/run.sh 1024 3   (wide rows: 18 columns of every common type, bench/lib.sh)
# Prints a table: wall time, peak RSS, peak work-dir bytes, object size, restore check, and the ratios. With RUNS > 1
# the pipelines take turns RUNS times (floor, seed, gzip, zstd, floor, ...) and the table shows the median wall time
# with every run's time beside it, the highest peak RSS and work-dir bytes, and the worst restore check.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/local-servers.sh
. bench/lib.sh
trap stop_local_servers EXIT

SIZE_MB="${1:-100}"
RUNS="${2:-1}"
start_bench "$SIZE_MB"
# The seed's SigV2 signature of stdin (HMAC-SHA1, base64), with the secret passed in the environment, not in argv
sigv2() {
  S3_SECRET="$S3_SECRET" python3 -c 'import base64, hashlib, hmac, os, sys
print(base64.b64encode(hmac.new(os.environ["S3_SECRET"].encode(), sys.stdin.buffer.read(), hashlib.sha1).digest()).decode())'
}
# CPU seconds S3Proxy (the store) has used so far: the store's share of each pipeline's cost
s3_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$S3PROXY_PID/stat"; }
# warm the store up (JIT) so that neither side pays for it: three 32 MiB PUTs
head -c $((32 * 1024 * 1024)) /dev/urandom > "$WORK/warm"
for i in 1 2 3; do
  DATE=$(date -u +"%a, %d %b %Y %H:%M:%S GMT"); RESOURCE="/$BUCKET/warm/$i"
  SIG=$(printf 'PUT\n\napplication/octet-stream\n%s\n%s' "$DATE" "$RESOURCE" | sigv2)
  curl -s -f --cacert "$S3_CA_LOCAL" -X PUT -T "$WORK/warm" -H "Date: $DATE" -H "Content-Type: application/octet-stream" \
    -H "Authorization: AWS $S3_ACCESS:$SIG" "$S3_ENDPOINT_LOCAL$RESOURCE" > /dev/null
done
rm -f "$WORK/warm"
pg_backup_env

# 1. floor
run_floor() { # -> floor
  local t0 t1
  settle
  t0=$(date +%s%N); "${PGENV[@]}" "$PG_BIN/pg_dump" -F p -d benchdb > /dev/null; t1=$(date +%s%N)
  floor=$(secs "$t0" "$t1")
}
raw=$("${PGENV[@]}" "$PG_BIN/pg_dump" -F p -d benchdb | wc -c)

# 2. the seed pipeline, as in the blog post
run_seed() { # -> seed_time seed_peak seed_rss seed_size seed_ok seed_cpu seed_s3cpu
  local c0 c1 t0 t1 DATE RESOURCE SIG seed_u seed_s
  rm -f "$LOCAL_ROOT/s3/$BUCKET/seed/benchdb.sql.gz"
  settle
  touch "$WORK/.running"; peak_du "$WORK" "$WORK/.running" > "$WORK/.peak-seed" & PEAK_PID=$!
  c0=$(s3_cpu); t0=$(date +%s%N)
  /usr/bin/time -f "%M %U %S" -o "$WORK/.rss-seed" bash -c '
    set -e
    "$@" "'"$PG_BIN"'/pg_dump" -F p -d benchdb > "'"$WORK"'/benchdb.sql"
    gzip -f "'"$WORK"'/benchdb.sql"
  ' _ "${PGENV[@]}"
  DATE=$(date -u +"%a, %d %b %Y %H:%M:%S GMT"); RESOURCE="/$BUCKET/seed/benchdb.sql.gz"
  SIG=$(printf 'PUT\n\napplication/gzip\n%s\n%s' "$DATE" "$RESOURCE" | sigv2)
  curl -s -f --cacert "$S3_CA_LOCAL" -X PUT -T "$WORK/benchdb.sql.gz" -H "Date: $DATE" -H "Content-Type: application/gzip" \
    -H "Authorization: AWS $S3_ACCESS:$SIG" "$S3_ENDPOINT_LOCAL$RESOURCE" > /dev/null
  t1=$(date +%s%N); c1=$(s3_cpu); rm -f "$WORK/.running"; wait "$PEAK_PID"
  seed_s3cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')
  seed_time=$(secs "$t0" "$t1"); seed_size=$(stat -c %s "$WORK/benchdb.sql.gz"); seed_peak=$(cat "$WORK/.peak-seed")
  read -r seed_rss seed_u seed_s < "$WORK/.rss-seed"; seed_cpu=$(awk -v u="$seed_u" -v s="$seed_s" 'BEGIN{printf "%.1f", u+s}'); rm -f "$WORK/benchdb.sql.gz"
  seed_ok=$(gzip -t < "$LOCAL_ROOT/s3/$BUCKET/seed/benchdb.sql.gz" && echo ok || echo BROKEN)
}

# 3. pg-backup, gzip (the default) and zstd (its settings: pg_backup_env above)
# The multipart path pg-backup uses is warmed first (the PUTs above warm the seed's): one untimed backup of a small
# database (~64 MB of dump, several parts), removed afterwards
psql_local postgres -c "CREATE DATABASE warmdb TEMPLATE template0" >/dev/null
psql_local warmdb >/dev/null <<SQL
CREATE TABLE warm AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS note FROM generate_series(1, 700000) g;
SQL
BACKUP_PREFIX="warm/" DB_NAME=warmdb bin/pg-backup backup 2> "$WORK/warm.log" || { cat "$WORK/warm.log" >&2; exit 1; }
rm -rf "${LOCAL_ROOT:?}/s3/$BUCKET/warm"

# a throwaway OpenPGP key pair for the encrypted pipeline (ENCRYPTION_PUBLIC_KEYS); its home is removed with the rest
export GNUPGHOME="$LOCAL_ROOT/gnupg"; mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key 'bench <bench@example.com>' ed25519 cert never 2>/dev/null
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-add-key \
  "$(gpg --with-colons --list-keys | awk -F: '/^fpr/ {print $10; exit}')" cv25519 encr never 2>/dev/null
gpg --armor --export bench@example.com > "$LOCAL_ROOT/bench-public.asc"

run_ours() { # NAME COMPRESSION [ENCRYPTION_PUBLIC_KEYS] -> sets ours_time ours_peak ours_rss ours_size ours_ok
  local name=$1 compression=$2 keys=${3:-} t0 t1 file rows_in
  settle
  touch "$WORK/.running"; peak_du "$WORK" "$WORK/.running" > "$WORK/.peak-$name" & PEAK_PID=$!
  c0=$(s3_cpu); t0=$(date +%s%N)
  BACKUP_PREFIX="$name/" BACKUP_COMPRESSION="$compression" ENCRYPTION_PUBLIC_KEYS="$keys" \
    /usr/bin/time -f "%M %U %S" -o "$WORK/.rss-$name" \
    bin/pg-backup backup 2> "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; exit 1; }
  t1=$(date +%s%N); c1=$(s3_cpu); rm -f "$WORK/.running"; wait "$PEAK_PID"
  ours_s3cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')
  cp "$WORK/$name.log" "/tmp/bench-$name.log" 2>/dev/null || true
  ours_time=$(secs "$t0" "$t1"); ours_peak=$(cat "$WORK/.peak-$name")
  read -r ours_rss ours_u ours_s < <(tail -1 "$WORK/.rss-$name"); cp "$WORK/.rss-$name" /tmp/bench-rss-$name.txt; ours_cpu=$(awk -v u="$ours_u" -v s="$ours_s" 'BEGIN{printf "%.1f", u+s}')
  file=$(find "$LOCAL_ROOT/s3/$BUCKET/$name" -type f -name '*.sql.*' ! -name '*.manifest.json' | head -1)
  ours_size=$(stat -c %s "$file")
  # restore check: the object decompresses completely and holds every row
  if [ -n "$keys" ]; then rows_in=$(gpg --batch --quiet --decrypt < "$file" 2>/dev/null | gunzip -c | count_rows)
  elif [ "$compression" = zstd ]; then rows_in=$(zstd -dc < "$file" | count_rows); else rows_in=$(gunzip -c "$file" | count_rows); fi
  ours_ok=$([ "$rows_in" = "$ROWS" ] && echo "ok ($rows_in rows)" || echo "BROKEN ($rows_in of $ROWS rows)")
}
count_rows() { awk '/^COPY public.orders /{on=1; next} /^\\\.$/{on=0} on{n++} END{print n+0}'; }
# every run of every pipeline: "name time rss peak size s3cpu cpu ok"
: > "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  echo "run $run of $RUNS..." >&2
  run_floor; echo "floor $floor 0 0 0 0 0 ok" >> "$WORK/results"
  run_seed; echo "seed $seed_time $seed_rss $seed_peak $seed_size $seed_s3cpu $seed_cpu $seed_ok" >> "$WORK/results"
  rm -rf "${LOCAL_ROOT:?}/s3/$BUCKET/ours" "${LOCAL_ROOT:?}/s3/$BUCKET/ours-zstd"
  run_ours ours gzip; echo "gzip $ours_time $ours_rss $ours_peak $ours_size $ours_s3cpu $ours_cpu ${ours_ok// /_}" >> "$WORK/results"
  run_ours ours-zstd zstd; echo "zstd $ours_time $ours_rss $ours_peak $ours_size $ours_s3cpu $ours_cpu ${ours_ok// /_}" >> "$WORK/results"
  rm -rf "${LOCAL_ROOT:?}/s3/$BUCKET/ours-gpg"
  run_ours ours-gpg gzip "$LOCAL_ROOT/bench-public.asc"; echo "gpg $ours_time $ours_rss $ours_peak $ours_size $ours_s3cpu $ours_cpu ${ours_ok// /_}" >> "$WORK/results"
done
# per pipeline: median time (middle run), every time, max RSS, max work dir, size, median CPUs, worst check
summary() { # NAME -> "median times maxrss maxpeak size s3cpu cpu ok"
  awk -v n="$1" '$1 == n { t[++k] = $2; all = all (all ? " / " : "") $2; if ($3 > r) r = $3; if ($4 > p) p = $4; z = $5
      s3[k] = $6; c[k] = $7; if ($8 !~ /^ok/ || ok == "") ok = $8 }
    END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x
            x = s3[i]; s3[i] = s3[j]; s3[j] = x; x = c[i]; c[i] = c[j]; c[j] = x }
          m = int((k + 1) / 2); gsub(/_/, " ", ok); printf "%s|%s|%.0f|%.0f|%.0f|%s|%s|%s\n", t[m], all, r, p, z, s3[m], c[m], ok }' "$WORK/results"
}
IFS='|' read -r floor floor_all _ _ _ _ _ _ < <(summary floor)
IFS='|' read -r seed_time seed_all seed_rss seed_peak seed_size seed_s3cpu seed_cpu seed_ok < <(summary seed)
IFS='|' read -r g_time g_all g_rss g_peak g_size g_s3 g_cpu g_ok < <(summary gzip)
IFS='|' read -r z_time z_all z_rss z_peak z_size z_s3 z_cpu z_ok < <(summary zstd)
IFS='|' read -r e_time e_all e_rss e_peak e_size e_s3 e_cpu e_ok < <(summary gpg)

printf '\nplain dump: %s bytes (%d rows); machine: %s cores, %s\n\n' "$raw" "$ROWS" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '| pipeline | wall s (median) | every run, s | peak RSS MiB | peak work-dir MB | object MB | restore check |\n|---|---|---|---|---|---|---|\n'
printf '| pg_dump > /dev/null (floor) | %s | %s | | | | |\n' "$floor" "$floor_all"
printf '| seed: pg_dump > file; gzip; curl PUT | %s | %s | %d (gzip/pg_dump) | %.1f | %.1f | %s |\n' "$seed_time" "$seed_all" $((seed_rss/1024)) "$(awk -v b="$seed_peak" 'BEGIN{print b/1e6}')" "$(awk -v b="$seed_size" 'BEGIN{print b/1e6}')" "$seed_ok"
row() { printf '| %s | %s | %s | %d | %.1f | %.1f | %s |\n' "$1" "$2" "$3" $(($4/1024)) "$(awk -v b="$5" 'BEGIN{print b/1e6}')" "$(awk -v b="$6" 'BEGIN{print b/1e6}')" "$7"; }
row "pg-backup backup, gzip level 1 (default; JVM start included)" "$g_time" "$g_all" "$g_rss" "$g_peak" "$g_size" "$g_ok"
row "pg-backup backup, zstd level 1 (JVM start included)" "$z_time" "$z_all" "$z_rss" "$z_peak" "$z_size" "$z_ok"
row "pg-backup backup, gzip level 1 + OpenPGP encryption (ENCRYPTION_PUBLIC_KEYS)" "$e_time" "$e_all" "$e_rss" "$e_peak" "$e_size" "$e_ok"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf '\nratios (gzip): time pg-backup/seed = %s (target <= 0.4); pg-backup/floor = %s; object pg-backup/seed = %s (target <= 1.1)\n' \
  "$(ratio "$g_time" "$seed_time")" "$(ratio "$g_time" "$floor")" "$(awk -v a="$g_size" -v b="$seed_size" 'BEGIN{printf "%.3f", a/b}')"
printf 'ratios (zstd): time pg-backup/seed = %s; pg-backup/floor = %s; object pg-backup/seed = %s\n' \
  "$(ratio "$z_time" "$seed_time")" "$(ratio "$z_time" "$floor")" "$(awk -v a="$z_size" -v b="$seed_size" 'BEGIN{printf "%.3f", a/b}')"
printf 'encryption: time gzip+gpg / gzip = %s (target <= 1.10)\n' "$(awk -v a="$e_time" -v b="$g_time" 'BEGIN{printf "%.3f", a/b}')"
printf 'CPU seconds, median run (user+sys of the pipeline incl. pg_dump / of S3Proxy): seed %s / %s; gzip %s / %s; zstd %s / %s\n' \
  "$seed_cpu" "$seed_s3cpu" "$g_cpu" "$g_s3" "$z_cpu" "$z_s3"
printf 'in-JVM backup time (from the log): gzip %s, zstd %s\n' "$(grep -o 'in [0-9][0-9hms.]*$' /tmp/bench-ours.log | tail -1)" "$(grep -o 'in [0-9][0-9hms.]*$' /tmp/bench-ours-zstd.log | tail -1)"

# The benchmark fails (exit 1) when a pipeline's restore check is not ok or pg-backup's peak RSS passed its 384 MiB
# budget: CI's smoke run then goes red instead of printing a table with BROKEN in it.
verdict=0
for check in "seed:$seed_ok" "gzip:$g_ok" "zstd:$z_ok" "gpg:$e_ok"; do
  case "${check#*:}" in ok*) ;; *) echo "bench: FAILED: the $check restore check is not ok" >&2; verdict=1 ;; esac
done
for rss in "gzip:$g_rss" "zstd:$z_rss" "gpg:$e_rss"; do
  if [ "${rss#*:}" -gt $((384 * 1024)) ]; then
    echo "bench: FAILED: ${rss%%:*} peak RSS $(( ${rss#*:} / 1024 )) MiB is over the 384 MiB budget" >&2; verdict=1
  fi
done
exit "$verdict"
