# Sourced by the build-<component>.sh scripts: the repository, a JDK 21+, and the Maven command.
set -eu
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$REPO"
. "$REPO/scripts/java-env.sh"
: "${GURURMM_BUILD_VERSION:?set by build.sh}"
: "${GURURMM_BUILD_OUT:?set by build.sh}"
ARTIFACTS="$GURURMM_BUILD_OUT/artifacts"
# -o when the local repository already has everything (a build host without Maven Central).
mvn_package() {
  ./mvnw -B -q ${MAVEN_OFFLINE:+-o} package -DskipTests -Dgururmm.version="$GURURMM_BUILD_VERSION" "$@"
}
