# shellcheck shell=bash
# Throwaway local servers for the demo: a PostgreSQL 15 cluster and an S3Proxy (a real S3 API server with
# authentication on), both on 127.0.0.1 and free ports, both under one temp folder. Source this file, then call
# start_postgres / start_s3proxy; stop_local_servers (set as an EXIT trap) removes everything.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
LOCAL_ROOT=""

# A loopback port nothing listens on (bounded tries).
free_port() {
  local i p
  for i in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# Runs a command as the unprivileged "postgres" user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

local_root() {
  if [ -z "$LOCAL_ROOT" ]; then
    LOCAL_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/pg-backup-local.XXXXXX")
    chmod 755 "$LOCAL_ROOT"
  fi
}

# start_postgres SUPERUSER_PASSWORD -> sets PGPORT_LOCAL, PGDATA_LOCAL
start_postgres() {
  local password="$1"
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found in $PG_BIN (set PG_BIN)" >&2; return 1; }
  local_root
  local pg="$LOCAL_ROOT/pg"        # owned by the server's user: data, socket, log
  PGDATA_LOCAL="$pg/data"
  PGSOCK_LOCAL="$pg/sock"
  mkdir -p "$PGDATA_LOCAL" "$PGSOCK_LOCAL"
  (umask 077; printf '%s\n' "$password" > "$pg/pwfile")
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$pg"; fi
  as_pg "$PG_BIN/initdb" -D "$PGDATA_LOCAL" -U postgres --auth-host=scram-sha-256 --auth-local=trust \
    --pwfile="$pg/pwfile" -E UTF8 --locale=C.UTF-8 >"$LOCAL_ROOT/initdb.log" 2>&1 \
    || { rm -f "$pg/pwfile"; cat "$LOCAL_ROOT/initdb.log" >&2; return 1; }
  rm -f "$pg/pwfile"
  PGPORT_LOCAL=$(free_port)
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_LOCAL" -w -t 60 -l "$pg/postgres.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT_LOCAL -k $PGSOCK_LOCAL -c fsync=off" start >/dev/null \
    || { cat "$pg/postgres.log" >&2; return 1; }
}

# psql_local DB [psql args...]: as superuser over the local socket
psql_local() {
  local db="$1"; shift
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK_LOCAL" -p "$PGPORT_LOCAL" -U postgres -d "$db" "$@"
}

# start_s3proxy ACCESS_KEY SECRET_KEY BUCKET CLASSPATH -> sets S3_ENDPOINT_LOCAL
# With S3PROXY_TLS=1 it serves HTTPS (like NCP Object Storage) with a throwaway self-signed certificate for
# 127.0.0.1 and also sets S3_CA_LOCAL (PEM, for curl --cacert) and S3_TRUSTSTORE_LOCAL (PKCS12, password
# "changeit", for -Djavax.net.ssl.trustStore).
start_s3proxy() {
  local access="$1" secret="$2" bucket="$3" classpath="$4"
  local_root
  local port; port=$(free_port)
  mkdir -p "$LOCAL_ROOT/s3/$bucket"
  local endpoint_line="s3proxy.endpoint=http://127.0.0.1:$port"
  S3_ENDPOINT_LOCAL="http://127.0.0.1:$port"
  if [ "${S3PROXY_TLS:-}" = 1 ]; then
    keytool -genkeypair -alias s3proxy -keyalg EC -groupname secp256r1 -validity 2 -dname CN=127.0.0.1 \
      -ext SAN=ip:127.0.0.1 -keystore "$LOCAL_ROOT/s3proxy.p12" -storetype PKCS12 -storepass changeit >/dev/null 2>&1
    keytool -exportcert -rfc -alias s3proxy -keystore "$LOCAL_ROOT/s3proxy.p12" -storepass changeit \
      -file "$LOCAL_ROOT/s3proxy-ca.pem" >/dev/null 2>&1
    keytool -importcert -noprompt -alias s3proxy -file "$LOCAL_ROOT/s3proxy-ca.pem" -keystore "$LOCAL_ROOT/trust.p12" \
      -storetype PKCS12 -storepass changeit >/dev/null 2>&1
    endpoint_line="s3proxy.secure-endpoint=https://127.0.0.1:$port
s3proxy.keystore-path=$LOCAL_ROOT/s3proxy.p12
s3proxy.keystore-password=changeit"
    S3_ENDPOINT_LOCAL="https://127.0.0.1:$port"
    S3_CA_LOCAL="$LOCAL_ROOT/s3proxy-ca.pem"; S3_TRUSTSTORE_LOCAL="$LOCAL_ROOT/trust.p12"
  fi
  cat > "$LOCAL_ROOT/s3proxy.conf" <<CONF
$endpoint_line
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access
s3proxy.credential=$secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$LOCAL_ROOT/s3
CONF
  chmod 600 "$LOCAL_ROOT/s3proxy.conf"
  # S3Proxy's jar carries no logging configuration, and logback's default is DEBUG for everything: Jetty then logs
  # every buffer it reads (1.4 GB of log for a 1 GB upload, and three quarters of the store's CPU). Warnings only.
  cat > "$LOCAL_ROOT/s3proxy-logback.xml" <<'XML'
<configuration>
  <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="STDERR"/></root>
</configuration>
XML
  java -Dlogback.configurationFile="$LOCAL_ROOT/s3proxy-logback.xml" -cp "$classpath" org.gaul.s3proxy.Main --properties "$LOCAL_ROOT/s3proxy.conf" >"$LOCAL_ROOT/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  local i
  for i in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$S3PROXY_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "S3Proxy did not start:" >&2; cat "$LOCAL_ROOT/s3proxy.log" >&2
  return 1
}

# Runs as an EXIT trap: it must not change the script's exit status (hence the "|| true"s under set -e).
stop_local_servers() {
  local status=$?
  if [ -n "${S3PROXY_PID:-}" ]; then kill "$S3PROXY_PID" 2>/dev/null || true; wait "$S3PROXY_PID" 2>/dev/null || true; fi
  if [ -n "${PGDATA_LOCAL:-}" ] && [ -d "$PGDATA_LOCAL" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_LOCAL" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -n "$LOCAL_ROOT" ]; then rm -rf "$LOCAL_ROOT" || true; fi
  return $status
}
