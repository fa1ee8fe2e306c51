#!/bin/sh
# Lays the server's jar out as the container runs it and trains an ahead-of-time cache for it (Java 25: JEP 483, 514,
# 515): a start of the server records the classes it loads, links and profiles, and later starts map them from the
# cache instead of finding, verifying and linking them again (docs/deployment.md, "Start-up").
#
#   docker/aot-cache.sh JAR DESTINATION [JAVA]
#
# DESTINATION receives the jar (same name), its libraries in lib/ and app.aot. Start the server with
#   JAVA -XX:+UseG1GC -XX:AOTCache=DESTINATION/app.aot -jar DESTINATION/<jar name>
# with the same JAVA, the same files at the same absolute paths, and the G1 collector the cache is trained with
# (docs/deployment.md says what happens otherwise). The training start runs on the embedded database in a temporary
# folder with the demo issuer, through the package install to readiness and one request, then exits
# (epaccs.training-run), and leaves nothing behind but the cache.
set -eu
unset CDPATH

if [ $# -lt 2 ]; then
  echo "usage: $0 JAR DESTINATION [JAVA]" >&2
  exit 2
fi
jar=$1
destination=$2
java=${3:-java}
case "$jar$destination" in
  *[[:space:]]*) echo "$0: paths with spaces are not supported" >&2; exit 2 ;;
esac

mkdir -p "$destination"
destination=$(cd "$destination" && pwd)
if [ "$(cd "$(dirname "$jar")" && pwd)" = "$destination" ]; then
  echo "$0: the jar must not be in DESTINATION, which receives its layout" >&2
  exit 2
fi
"$java" -Djarmode=tools -jar "$jar" extract --force --destination "$destination"
rm -f "$destination/app.aot"
training=$(mktemp -d)
trap 'rm -rf "$training"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# the class path is recorded as given, so it is absolute: the cache then names the same files from any working
# directory. The JVM lists every class it leaves out of the cache (signed jars, classes it cannot link ahead): errors
# only. Its temporary files go to the folder removed above.
"$java" -XX:+UseG1GC -XX:AOTCacheOutput="$destination/app.aot" '-Xlog:aot*=error' -Djava.io.tmpdir="$training" \
  -jar "$destination/$(basename "$jar")" --epaccs.training-run=true \
  --spring.profiles.active=demo --epaccs.security.embedded-issuer.enabled=true \
  --spring.datasource.url="jdbc:h2:file:$training/epaccs" --server.port=0 --logging.level.root=WARN
test -s "$destination/app.aot"
