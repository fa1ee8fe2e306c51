#!/bin/sh
# Lays the server's jar out as the container runs it and trains an ahead-of-time cache for it (Java 25: JEP 483, 514,
# 515): a start of the server records the classes it loads, links and profiles, and later starts map them from the
# cache instead of finding, verifying and linking them again (docs/deployment.md, "Start-up").
#
#   docker/aot-cache.sh JAR DESTINATION [JAVA]
#
# DESTINATION receives the jar (same name), its libraries in lib/ and app.aot. Start the server with
#   JAVA -XX:AOTCache=DESTINATION/app.aot -jar DESTINATION/<jar name>
# with the same JAVA and the same files: a cache trained for other files is not used (the JVM says so and starts
# without it). The training start runs on the embedded database in a temporary folder with the demo issuer, stops once
# the application context is up, and leaves nothing behind but the cache.
set -eu

if [ $# -lt 2 ]; then
  echo "usage: $0 JAR DESTINATION [JAVA]" >&2
  exit 2
fi
jar=$1
destination=$2
java=${3:-java}

"$java" -Djarmode=tools -jar "$jar" extract --force --destination "$destination"
# the cache records the class path as given: a relative one, resolved later from another working directory, names
# other files, and the JVM then stops at start instead of passing the cache over
destination=$(cd "$destination" && pwd)
training=$(mktemp -d)
trap 'rm -rf "$training"' EXIT
# the JVM lists every class it leaves out of the cache (signed jars, classes it cannot link ahead): errors only
"$java" -XX:AOTCacheOutput="$destination/app.aot" -Xlog:aot*=error -Dspring.context.exit=onRefresh \
  -jar "$destination/$(basename "$jar")" \
  --spring.profiles.active=demo --epaccs.security.embedded-issuer.enabled=true \
  --spring.datasource.url="jdbc:h2:file:$training/epaccs" --server.port=0 --logging.level.root=WARN
test -s "$destination/app.aot"
