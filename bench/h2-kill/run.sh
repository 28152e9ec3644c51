#!/usr/bin/env bash
# kill -9 durability harness for the embedded H2 (see docs/OPERATIONS.md, "What acknowledged
# means"): a writer commits in a loop and prints each id once its commit returned; it is killed
# with SIGKILL after SECONDS, and the last printed id must be in the reopened file.
# Usage: bench/h2-kill/run.sh H2_JAR [URL_SETTINGS] [ROUNDS] [SECONDS]
#   e.g. bench/h2-kill/run.sh ~/.m2/repository/com/h2database/h2/2.5.252/h2-2.5.252.jar ';WRITE_DELAY=0;RETENTION_TIME=1000' 6 4
set -euo pipefail
cd "$(dirname "$0")"
. ../../scripts/java-env.sh
JAR=$1; SETTINGS=${2:-;WRITE_DELAY=0}; ROUNDS=${3:-6}; SECONDS_PER_ROUND=${4:-4}
WORK=$(mktemp -d); DB=$WORK/db
javac -cp "$JAR" -d "$WORK" KillWriter.java KillCheck.java
lost=0
for r in $(seq 1 "$ROUNDS"); do
  java -cp "$JAR:$WORK" KillWriter "$DB" "$SETTINGS" > "$WORK/out" 2>&1 & P=$!
  sleep "$SECONDS_PER_ROUND"; kill -9 "$P"; wait "$P" 2>/dev/null || true
  last=$(grep -E '^[0-9]+$' "$WORK/out" | tail -1)
  verdict=$(java -cp "$JAR:$WORK" KillCheck "$DB" "$last")
  [ "$verdict" = ok ] || lost=$((lost + 1))
  echo "round $r: last committed id $last: $verdict"
done
echo "$(basename "$JAR") settings '$SETTINGS': lost the last commit in $lost of $ROUNDS kills"
rm -rf "$WORK"
