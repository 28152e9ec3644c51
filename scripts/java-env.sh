# Sourced by the project's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Keeps a JAVA_HOME that already qualifies; otherwise looks in the usual install places.
java_major() {
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  :
else
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/temurin-2[1-9]-jdk-* /usr/lib/jvm/java-2[1-9]-openjdk-* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/javac" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      JAVA_HOME="$candidate"
      break
    fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "GuruRMM needs a JDK 21 or newer; none found under /usr/lib/jvm. Install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME." >&2
    exit 2
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
