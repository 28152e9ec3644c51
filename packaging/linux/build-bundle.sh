#!/bin/sh
# Builds the self-contained Linux agent bundle: the agent jar with its own jlink-trimmed Java runtime.
#   packaging/linux/build-bundle.sh [--jar agent/target/gururmm-agent.jar] [--cli-jar cli/target/gururmm.jar] [--out target/packaging]
# Needs a JDK 21+ (JAVA_HOME, or scripts/java-env.sh finds one) and the built agent jar
# (./mvnw -B -q package -DskipTests -pl agent -am). Writes
#   <out>/gururmm-agent-linux-<arch>-<version>.tar.gz   (extract with tar -C / -xzf)
# holding opt/gururmm/{jre,gururmm-agent.jar,bin/gururmm-agent} and
# lib/systemd/system/gururmm-agent.service, plus the CLI when its jar exists (opt/gururmm/gururmm.jar,
# opt/gururmm/bin/gururmm, the /usr/bin/gururmm link and a bash completion generated here with
# picocli's AutoComplete through the CLI's own `completion` command), and leaves the same tree in <out>/bundle-root
# (build-deb.sh packs it). <arch> is the Debian name of the host (dpkg --print-architecture, else
# uname -m): jlink only links the runtime of the JDK it runs on, so a bundle is built on (or with a
# JDK for) its target architecture. <version> is what the jar itself prints for --version.
# The runtime is cached under <out>/jre-cache, keyed by the jar's hash, the JDK and the module
# list, so a rebuild with the same jar and JDK skips jdeps and jlink.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
JAR="$REPO/agent/target/gururmm-agent.jar"
CLI_JAR="$REPO/cli/target/gururmm.jar"
OUT="$REPO/target/packaging"
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --cli-jar) CLI_JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "build-bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "build-bundle.sh: agent jar not found at $JAR; build it first (./mvnw -B -q package -DskipTests -pl agent -am) or pass --jar" >&2; exit 2; }
. "$REPO/scripts/java-env.sh"
# The CLI shares the agent's runtime, so jdeps looks at both jars.
JARS="$JAR"
if [ -f "$CLI_JAR" ]; then JARS="$JAR $CLI_JAR"; else echo "build-bundle.sh: no CLI jar at $CLI_JAR; the bundle carries the agent only" >&2; CLI_JAR=""; fi
command -v jlink >/dev/null || { echo "build-bundle.sh: jlink not found in $JAVA_HOME/bin (a JRE is not enough, a JDK is needed)" >&2; exit 2; }

# Modules the agent needs besides what jdeps sees in its bytecode: java.logging and java.naming for
# logback, jdk.crypto.ec for TLS with EC certificates and key exchange on older JDKs, jdk.unsupported
# for JNA/pty4j (sun.misc.Unsafe), jdk.zipfs for jar file systems, jdk.charsets for commands whose
# output is not UTF-8. java.desktop (only JNA's and oshi's AWT helpers, never used on Linux) is left out.
EXTRA_MODULES="java.logging,java.naming,jdk.crypto.ec,jdk.unsupported,jdk.zipfs,jdk.charsets"
DROP_MODULES="java.desktop"

if command -v dpkg >/dev/null 2>&1; then
  ARCH="$(dpkg --print-architecture)"
else
  case "$(uname -m)" in
    x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; armv7l) ARCH=armhf ;; *) ARCH="$(uname -m)" ;;
  esac
fi

mkdir -p "$OUT/jre-cache"
JDK_ID="$("$JAVA_HOME/bin/java" -version 2>&1 | tr '\n' ' ')"
KEY="$( { cat $JARS | sha256sum; echo "$JDK_ID $EXTRA_MODULES -$DROP_MODULES $ARCH v1"; } | sha256sum | cut -c1-16)"
JRE="$OUT/jre-cache/$KEY"
if [ ! -x "$JRE/bin/java" ]; then
  echo "build-bundle.sh: linking the runtime ($KEY)..." >&2
  DEPS="$(jdeps --print-module-deps --ignore-missing-deps --multi-release "$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p')" $JARS | tail -1)"
  MODULES="$(echo "$DEPS,$EXTRA_MODULES" | tr ',' '\n' | grep -v -x -F "$(echo "$DROP_MODULES" | tr ',' '\n')" | sort -u | paste -sd, -)"
  echo "build-bundle.sh: modules $MODULES" >&2
  rm -rf "$JRE.tmp"
  STRIP="--strip-debug"
  # Also drops the native debug symbols (libjvm.so carries most of them); needs objcopy (binutils).
  if command -v objcopy >/dev/null 2>&1; then STRIP="--strip-java-debug-attributes --strip-native-debug-symbols=exclude-debuginfo-files"; fi
  jlink --add-modules "$MODULES" $STRIP --no-header-files --no-man-pages --compress=zip-6 \
    --output "$JRE.tmp"
  echo "$MODULES" > "$JRE.tmp/gururmm-modules"
  mv "$JRE.tmp" "$JRE"
fi

VERSION="$("$JRE/bin/java" -Xshare:auto -jar "$JAR" --version | tail -1)"
case "$VERSION" in *[!A-Za-z0-9.+~-]*|"") echo "build-bundle.sh: the jar printed no usable version: '$VERSION'" >&2; exit 1 ;; esac

ROOT="$OUT/bundle-root"
rm -rf "$ROOT"
install -d -m 0755 "$ROOT/opt/gururmm/bin" "$ROOT/lib/systemd/system"
cp -a "$JRE" "$ROOT/opt/gururmm/jre"
rm -f "$ROOT/opt/gururmm/jre/gururmm-modules"
install -m 0644 "$JAR" "$ROOT/opt/gururmm/gururmm-agent.jar"
install -m 0755 "$HERE/gururmm-agent" "$ROOT/opt/gururmm/bin/gururmm-agent"
install -m 0644 "$HERE/gururmm-agent.service" "$ROOT/lib/systemd/system/gururmm-agent.service"
if [ -n "$CLI_JAR" ]; then
  install -m 0644 "$CLI_JAR" "$ROOT/opt/gururmm/gururmm.jar"
  install -m 0755 "$HERE/gururmm" "$ROOT/opt/gururmm/bin/gururmm"
  install -d -m 0755 "$ROOT/usr/bin" "$ROOT/usr/share/bash-completion/completions"
  ln -s ../../opt/gururmm/bin/gururmm "$ROOT/usr/bin/gururmm"
  # bash-completion loads completions/<command> on first use; zsh users source it (docs/OPERATIONS.md, "Packages").
  "$JRE/bin/java" -jar "$CLI_JAR" completion > "$ROOT/usr/share/bash-completion/completions/gururmm"
  grep -q 'complete -F' "$ROOT/usr/share/bash-completion/completions/gururmm" \
    || { echo "build-bundle.sh: the CLI printed no bash completion" >&2; exit 1; }
fi
echo "$VERSION" > "$OUT/bundle-version"
echo "$ARCH" > "$OUT/bundle-arch"

TARBALL="$OUT/gururmm-agent-linux-$ARCH-$VERSION.tar.gz"
tar --owner=0 --group=0 --numeric-owner -C "$ROOT" -czf "$TARBALL.tmp" $(cd "$ROOT" && ls -d opt lib usr 2>/dev/null)
mv -f "$TARBALL.tmp" "$TARBALL"
echo "$TARBALL"
