#!/bin/sh
# Component "cli": the gururmm CLI jar (a build artifact; the installers bundle it too).
. "$(dirname "$0")/common.sh"
mvn_package -pl cli -am
cp cli/target/gururmm.jar "$ARTIFACTS/gururmm-cli-$GURURMM_BUILD_VERSION.jar"
