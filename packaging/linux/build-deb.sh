#!/bin/sh
# Builds gururmm-agent_<version>_<arch>.deb from the self-contained bundle (build-bundle.sh, run first
# unless --no-bundle): /opt/gururmm (bundled runtime, jar, launcher), the systemd unit in
# /lib/systemd/system and /etc/gururmm/agent.env as a conffile. No Depends on a system Java.
#   packaging/linux/build-deb.sh [--jar JAR] [--out target/packaging] [--no-bundle]
# Needs dpkg-deb. Prints the path of the .deb.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="$REPO/target/packaging"
BUNDLE=1
JAR_ARGS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR_ARGS="--jar $2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-bundle) BUNDLE=""; shift ;;
    *) echo "build-deb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v dpkg-deb >/dev/null || { echo "build-deb.sh: dpkg-deb not found (apt-get install dpkg)" >&2; exit 2; }
if [ -n "$BUNDLE" ]; then
  # shellcheck disable=SC2086
  "$HERE/build-bundle.sh" --out "$OUT" $JAR_ARGS >/dev/null
fi
VERSION="$(cat "$OUT/bundle-version")"
ARCH="$(cat "$OUT/bundle-arch")"
PKG="$OUT/deb-root"
rm -rf "$PKG"
mkdir -p "$PKG"
cp -a "$OUT/bundle-root/." "$PKG/"
install -d -m 0700 "$PKG/etc/gururmm"
install -m 0600 "$HERE/deb/agent.env" "$PKG/etc/gururmm/agent.env"
install -d -m 0755 "$PKG/DEBIAN"
SIZE="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: gururmm-agent
Version: $VERSION
Architecture: $ARCH
Maintainer: GuruRMM <gururmm@invalid>
Installed-Size: $SIZE
Section: admin
Priority: optional
Description: GuruRMM agent with its own Java runtime
 The GuruRMM remote monitoring and management agent, installed under /opt/gururmm
 with a trimmed Java runtime of its own (no system Java needed), and its systemd unit.
 Set GURURMM_SERVER_URL in /etc/gururmm/agent.env and put an enrollment token in
 /var/lib/gururmm/enrollment-token, then: systemctl restart gururmm-agent
CONTROL
echo /etc/gururmm/agent.env > "$PKG/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$HERE/deb/$script" "$PKG/DEBIAN/$script"
done
DEB="$OUT/gururmm-agent_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$PKG" "$DEB.tmp" >/dev/null
mv -f "$DEB.tmp" "$DEB"
echo "$DEB"
