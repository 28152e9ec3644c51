#!/bin/sh
# The release pipeline's build of one commit (SPEC section 8). The server runs it in a clean
# checkout of the pushed commit; any CI, or a cron job, runs the same thing:
#   deploy/build-pipeline/build.sh                       (from the repository root)
# Environment (all optional when run by hand):
#   GURURMM_BUILD_COMMIT   the commit being built (default: HEAD)
#   GURURMM_BUILD_BEFORE   the commit before the push; empty = build everything
#   GURURMM_BUILD_OUT      where results go (default: target/pipeline)
#   GURURMM_BUILD_VERSION  the version stamped on what is built (default: <major>.<minor> of the
#                          root pom and the commit count, e.g. 0.1.412: every commit on the
#                          branch builds a higher version than the one before)
# Writes $GURURMM_BUILD_OUT/version and /plan (the change gate's answer) first, then
# $GURURMM_BUILD_OUT/artifacts/* and, last (only on success), $GURURMM_BUILD_OUT/components. Publishing is the caller's: the server publishes the artifacts on
# beta; by hand, POST each agent build to /api/releases (docs/RELEASES.md).
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"
GURURMM_BUILD_COMMIT="${GURURMM_BUILD_COMMIT:-$(git rev-parse HEAD)}"
GURURMM_BUILD_OUT="${GURURMM_BUILD_OUT:-$REPO/target/pipeline}"
mkdir -p "$GURURMM_BUILD_OUT/artifacts"
rm -f "$GURURMM_BUILD_OUT/components"
if [ -z "${GURURMM_BUILD_VERSION:-}" ]; then
  # The first <version> of the root pom is the project's (it has no parent).
  base=$(sed -n 's:^[[:space:]]*<version>\([0-9][0-9]*\.[0-9][0-9]*\)\.[0-9][0-9]*</version>[[:space:]]*$:\1:p' pom.xml | head -n 1)
  [ -n "$base" ] || { echo "build.sh: cannot read <major>.<minor> from the project version in pom.xml" >&2; exit 2; }
  GURURMM_BUILD_VERSION="$base.$(git rev-list --count "$GURURMM_BUILD_COMMIT")"
fi
export GURURMM_BUILD_COMMIT GURURMM_BUILD_OUT GURURMM_BUILD_VERSION
components=$(sh "$HERE/gate.sh" "${GURURMM_BUILD_BEFORE:-}" "$GURURMM_BUILD_COMMIT")
echo "==> commit $GURURMM_BUILD_COMMIT, version $GURURMM_BUILD_VERSION, components: ${components:-(none)}"
printf '%s\n' "$GURURMM_BUILD_VERSION" > "$GURURMM_BUILD_OUT/version"
printf '%s\n' "$components" > "$GURURMM_BUILD_OUT/plan"
for component in $components; do
  [ -f "$HERE/build-$component.sh" ] || { echo "build.sh: there is no build-$component.sh for component $component" >&2; exit 2; }
  echo "==> building $component"
  sh "$HERE/build-$component.sh"
done
printf '%s\n' "$components" > "$GURURMM_BUILD_OUT/components"
echo "==> done: $(ls "$GURURMM_BUILD_OUT/artifacts" | tr '\n' ' ')"
