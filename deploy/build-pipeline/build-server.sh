#!/bin/sh
# Component "server": the server jar (a build artifact, kept with the build; the dashboard ships inside it).
. "$(dirname "$0")/common.sh"
[ -f "$ARTIFACTS/gururmm-server-$GURURMM_BUILD_VERSION.jar" ] && exit 0
mvn_package -pl server -am
cp server/target/gururmm-server.jar "$ARTIFACTS/gururmm-server-$GURURMM_BUILD_VERSION.jar"
