#!/bin/sh
# Component "server": the server jar (kept with the build; the dashboard ships inside it) and the
# server's .deb with its own runtime (packaging/server/build-server-deb.sh), copied beside the
# agent builds in the downloads dir.
. "$(dirname "$0")/common.sh"
[ -f "$ARTIFACTS/gururmm-server-$GURURMM_BUILD_VERSION.jar" ] && exit 0
mvn_package -pl server -am
cp server/target/gururmm-server.jar "$ARTIFACTS/gururmm-server-$GURURMM_BUILD_VERSION.jar"
deb=$(sh packaging/server/build-server-deb.sh --jar server/target/gururmm-server.jar --version "$GURURMM_BUILD_VERSION" \
  --out "$GURURMM_BUILD_OUT/.packaging" | tail -n 1)
cp "$deb" "$ARTIFACTS/"
