#!/bin/sh
# Component "installers": the self-contained Linux bundle (.tar.gz, an agent build of its own that
# install.sh fetches), the .deb and, where rpmbuild exists, the .rpm, all from the agent jar of this
# version. linux-amd64 only: jlink links the runtime of the JDK it runs on.
. "$(dirname "$0")/common.sh"
[ -f "$GURURMM_BUILD_OUT/.agent.jar" ] || { mvn_package -pl agent -am; cp agent/target/gururmm-agent.jar "$GURURMM_BUILD_OUT/.agent.jar"; }
[ -f cli/target/gururmm.jar ] || mvn_package -pl cli -am
work="$GURURMM_BUILD_OUT/.packaging"
sh packaging/linux/build-bundle.sh --jar "$GURURMM_BUILD_OUT/.agent.jar" --cli-jar cli/target/gururmm.jar --out "$work"
sh packaging/linux/build-deb.sh --jar "$GURURMM_BUILD_OUT/.agent.jar" --out "$work" --no-bundle
if command -v rpmbuild >/dev/null; then
  sh packaging/linux/build-rpm.sh --jar "$GURURMM_BUILD_OUT/.agent.jar" --cli-jar cli/target/gururmm.jar --out "$work" --no-bundle
else
  echo "build-installers.sh: no rpmbuild here; the .rpm is not built (apt-get install rpm)" >&2
fi
for f in "$work"/gururmm-agent-linux-*.tar.gz "$work"/gururmm-agent_*.deb "$work"/gururmm-agent-*.rpm; do
  [ -f "$f" ] && cp "$f" "$ARTIFACTS/"
done
