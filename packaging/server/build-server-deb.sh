#!/bin/sh
# Builds gururmm-server_<version>_<arch>.deb: the server jar on a jlink runtime of its own (no
# system Java needed), the systemd unit, /etc/gururmm/server.env (a conffile, 0600) and the
# gururmm system user (postinst).
#   packaging/server/build-server-deb.sh [--jar server/target/gururmm-server.jar] [--version V] [--out target/packaging]
# Needs a JDK 21+ (JAVA_HOME, or scripts/java-env.sh) and dpkg-deb. Prints the path of the .deb.
# <arch> is the host's (dpkg --print-architecture): jlink links the runtime of the JDK it runs on.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
JAR="$REPO/server/target/gururmm-server.jar"
OUT="$REPO/target/packaging"
VERSION=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    *) echo "build-server-deb.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "build-server-deb.sh: no server jar at $JAR; build it (./mvnw -B -q package -DskipTests -pl server -am) or pass --jar" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "build-server-deb.sh: dpkg-deb not found (apt-get install dpkg)" >&2; exit 2; }
. "$REPO/scripts/java-env.sh"
if [ -z "$VERSION" ]; then
  VERSION="$(unzip -p "$JAR" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: *\([^ \r]*\).*/\1/p' | head -n 1)"
fi
[ -n "$VERSION" ] || { echo "build-server-deb.sh: cannot read the version from $JAR; pass --version" >&2; exit 2; }
ARCH="$(dpkg --print-architecture 2>/dev/null || uname -m)"
mkdir -p "$OUT"
# The runtime: the whole java.se platform plus what the server's libraries reach for (EC TLS,
# Unsafe for Netty-style libraries, zip file systems, JMX for Micrometer, DNS for the JDBC and
# NATS clients). Cached by JDK and module list.
MODULES="java.se,jdk.crypto.ec,jdk.unsupported,jdk.zipfs,jdk.management,jdk.naming.dns,jdk.charsets,jdk.localedata,jdk.net"
KEY="$("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1 | tr -c 'A-Za-z0-9.' '_')-$(echo "$MODULES" | cksum | cut -d' ' -f1)"
JRE="$OUT/server-jre-cache/$KEY"
if [ ! -x "$JRE/bin/java" ]; then
  rm -rf "$JRE"
  mkdir -p "$(dirname "$JRE")"
  "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output "$JRE"
fi
PKG="$OUT/server-deb-root"
rm -rf "$PKG"
install -d -m 0755 "$PKG/opt/gururmm-server/bin" "$PKG/lib/systemd/system" "$PKG/DEBIAN"
cp -a "$JRE" "$PKG/opt/gururmm-server/jre"
install -m 0644 "$JAR" "$PKG/opt/gururmm-server/gururmm-server.jar"
install -m 0755 "$HERE/gururmm-server" "$PKG/opt/gururmm-server/bin/gururmm-server"
install -m 0644 "$HERE/gururmm-server.service" "$PKG/lib/systemd/system/gururmm-server.service"
install -d -m 0755 "$PKG/etc/gururmm"
install -m 0600 "$HERE/deb/server.env" "$PKG/etc/gururmm/server.env"
SIZE="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: gururmm-server
Version: $VERSION
Architecture: $ARCH
Maintainer: GuruRMM <gururmm@invalid>
Installed-Size: $SIZE
Section: admin
Priority: optional
Description: GuruRMM server with its own Java runtime
 The GuruRMM remote monitoring and management server (API, dashboard, agent gateway),
 installed under /opt/gururmm-server with a Java runtime of its own (no system Java needed),
 running as the gururmm user from its systemd unit. Settings: /etc/gururmm/server.env.
CONTROL
echo /etc/gururmm/server.env > "$PKG/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$HERE/deb/$script" "$PKG/DEBIAN/$script"
done
DEB="$OUT/gururmm-server_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$PKG" "$DEB.tmp" >/dev/null
mv -f "$DEB.tmp" "$DEB"
echo "$DEB"
