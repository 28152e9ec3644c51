#!/bin/sh
# Builds gururmm-agent-<version>-1.<rpm arch>.rpm from the self-contained bundle (build-bundle.sh,
# run first unless --no-bundle): the same contents as the .deb (build-deb.sh) with the unit in
# /usr/lib/systemd/system and /etc/gururmm/agent.env as %config(noreplace). No Requires on a Java.
#   packaging/linux/build-rpm.sh [--jar JAR] [--cli-jar JAR] [--out target/packaging] [--no-bundle]
# Needs rpmbuild (Debian: apt-get install rpm). Prints the path of the .rpm.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/target/packaging"
BUNDLE=1
BUNDLE_ARGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar|--cli-jar) BUNDLE_ARGS="$BUNDLE_ARGS $1 $2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-bundle) BUNDLE=""; shift ;;
    *) echo "build-rpm.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v rpmbuild >/dev/null || { echo "build-rpm.sh: rpmbuild not found (Debian: apt-get install rpm; RHEL: dnf install rpm-build)" >&2; exit 2; }
if [ -n "$BUNDLE" ]; then
  # shellcheck disable=SC2086
  "$HERE/build-bundle.sh" --out "$OUT" $BUNDLE_ARGS >/dev/null
fi
# rpm versions may not hold '-'; '~' sorts a pre-release before its release, as in Debian.
VERSION="$(tr '-' '~' < "$OUT/bundle-version")"
case "$(cat "$OUT/bundle-arch")" in
  amd64) ARCH=x86_64 ;; arm64) ARCH=aarch64 ;; i386) ARCH=i686 ;; *) ARCH="$(cat "$OUT/bundle-arch")" ;;
esac
TOP="$OUT/rpmbuild"
rm -rf "$TOP"
mkdir -p "$TOP/RPMS" "$TOP/BUILD" "$TOP/BUILDROOT"
: > "$TOP/cli-files"
if [ -e "$OUT/bundle-root/usr/bin/gururmm" ]; then
  printf '%s\n' /usr/bin/gururmm /usr/share/bash-completion/completions/gururmm > "$TOP/cli-files"
fi
rpmbuild -bb --quiet --target "$ARCH" \
  --define "_topdir $TOP" \
  --define "_rpmdir $TOP/RPMS" \
  --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
  --define "pkg_version $VERSION" \
  --define "bundle_root $OUT/bundle-root" \
  --define "agent_env $HERE/deb/agent.env" \
  --define "cli_file_list $TOP/cli-files" \
  "$HERE/rpm/gururmm-agent.spec" >&2
RPM="$OUT/gururmm-agent-$VERSION-1.$ARCH.rpm"
mv -f "$TOP/RPMS/gururmm-agent-$VERSION-1.$ARCH.rpm" "$RPM"
echo "$RPM"
