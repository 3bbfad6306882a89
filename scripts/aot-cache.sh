#!/usr/bin/env bash
# mvn package, after the jar: the AOT cache (JEP 483/514) that bin/pg-backup uses when the Java it runs is Java 25 or
# later: pg-backup-javaVERSION.aot beside the jar, made by one training run (io.pgbackup.ClassDataSharingTraining: `list`
# over HTTPS against a stand-in store) with the Java the launcher would pick and the launcher's own memory settings. A
# cache serves only the Java build that made it, hence the version in its name. Without a Java 25 this does nothing
# (the launcher then uses the class-data-sharing archive with Java 17).
set -euo pipefail
jar="$(readlink -f "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
read -r java version < <(PG_BACKUP_JAR="$jar" PG_BACKUP_PRINT_JAVA=1 bash "$here/bin/pg-backup")
rm -f "${jar%.jar}"-java*.aot
case "$version" in
  2[5-9]* | [3-9][0-9]*) ;;
  *) echo "aot-cache: the launcher's Java is ${version:-of unknown version} ($java): no AOT cache (Java 25 makes one)"; exit 0 ;;
esac
out="${jar%.jar}-java${version}.aot"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
if LOG_LEVEL=ERROR "$java" -XX:AOTCacheOutput="$out" -Xlog:aot=off -Xlog:cds=off -Xms64m -Xmx200m -XX:+UseSerialGC \
    -XX:MaxMetaspaceSize=160m -XX:ReservedCodeCacheSize=64m -Xss512k -XX:-UsePerfData --sun-misc-unsafe-memory-access=allow \
    -cp "$jar" io.pgbackup.ClassDataSharingTraining > "$work/training.log" 2>&1 && [ -s "$out" ]; then
  echo "aot-cache: $out ($(du -m "$out" | cut -f1) MB) for $java $version"
else
  # a failed training leaves no cache: the launcher falls back to running without one
  rm -f "$out"
  echo "aot-cache: training run failed, no AOT cache:" >&2
  tail -20 "$work/training.log" >&2
fi
