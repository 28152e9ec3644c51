#!/bin/sh
# Component "agent": the agent jar, stamped with $GURURMM_BUILD_VERSION, named as SPEC section 6 says.
# The jar is the same on every platform; it is published for linux-amd64, the platform whose
# self-update is tested here (docs/RELEASES.md lists what is and is not built).
. "$(dirname "$0")/common.sh"
[ -f "$GURURMM_BUILD_OUT/.agent.jar" ] || { mvn_package -pl agent -am; cp agent/target/gururmm-agent.jar "$GURURMM_BUILD_OUT/.agent.jar"; }
cp "$GURURMM_BUILD_OUT/.agent.jar" "$ARTIFACTS/gururmm-agent-linux-amd64-$GURURMM_BUILD_VERSION.jar"
