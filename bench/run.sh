#!/usr/bin/env bash
# Runs one benchmark scenario: bench/run.sh <scenario> [N] [--db h2|postgres] [--seconds S] [--no-doc]
# The server runs as its own process (server/target/gururmm-server.jar), the simulated agents in
# this JVM; the figures are printed and appended to docs/BENCHMARKS.md. See that file.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${JAVA_HOME:-}" || ! -x "$JAVA_HOME/bin/java" ]]; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64; do
    [[ -x "$candidate/bin/java" ]] && export JAVA_HOME="$candidate" && break
  done
fi
if [[ ! -f server/target/gururmm-server.jar || ! -f bench/target/gururmm-bench.jar || ! -f agent/target/gururmm-agent.jar ]]; then
  ./mvnw -B package -DskipTests -pl server,agent,bench -am
fi
# 10,000 agents need 10,000 sockets on each side (50,000 need more): raise the limit for this
# shell and the server it starts; root may also raise the hard limit.
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
limit=$(ulimit -n)
for arg in "$@"; do
  if [[ "$arg" =~ ^[0-9]+$ && "$arg" -gt $((limit - 1000)) && "${1:-}" != roundtrip && "${1:-}" != firstcommand && "${1:-}" != agent && "${1:-}" != meshcentral ]]; then
    echo "warning: $arg agents need $arg sockets in the server and in the simulator, but open files are limited to $limit" >&2
    echo "         here (ulimit -Hn is $(ulimit -Hn); raising it needs CAP_SYS_RESOURCE). Expect connections to fail past ~$((limit - 100))." >&2
  fi
done
exec "$JAVA_HOME/bin/java" ${BENCH_SIM_JVM_OPTS:--Xmx6g} -jar bench/target/gururmm-bench.jar "$@"
