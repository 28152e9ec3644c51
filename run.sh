#!/usr/bin/env bash
# Starts the whole system on its embedded defaults: the server with its embedded H2 database
# in ./data, plus the server host's own agent (enrolled automatically). Prints the URL and the
# first-login credentials. Builds the jars first if they are missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-env.sh
if [ ! -f server/target/gururmm-server.jar ] || [ ! -f agent/target/gururmm-agent.jar ] \
   || [ -n "$(find protocol server agent client -name '*.java' -newer server/target/gururmm-server.jar -print -quit 2>/dev/null)" ]; then
  echo "Building GuruRMM (./mvnw -B package -DskipTests)..."
  ./mvnw -B -q package -DskipTests
fi
exec "$JAVA_HOME/bin/java" -jar server/target/gururmm-server.jar "$@"
