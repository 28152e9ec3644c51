#!/usr/bin/env bash
# Time N sequential command submissions (POST /api/agents/{id}/command, each one committed
# write) against a server jar on its embedded H2 default, over one keep-alive connection.
# Usage: bench/h2-write-cost.sh [server.jar] [N]   (default server/target/gururmm-server.jar, 500)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/java-env.sh
JAR=${1:-server/target/gururmm-server.jar}
N=${2:-500}
DATA=$(mktemp -d)/data
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 39917)
URL=http://127.0.0.1:$PORT
GURURMM_DATA_DIR=$DATA GURURMM_HTTP_HOST=127.0.0.1 GURURMM_HTTP_PORT=$PORT GURURMM_LOCAL_AGENT=off \
  GURURMM_ADMIN_EMAIL=bench@gururmm.test GURURMM_ADMIN_PASSWORD=bench-password-not-secret \
  java -Xmx512m -jar "$JAR" > "$DATA.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -X POST "$URL/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench@gururmm.test","password":"bench-password-not-secret"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
ENROLL=$(curl -sf -X POST "$URL/api/enrollment-tokens" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"max_uses":1}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
AGENT=$(curl -sf -X POST "$URL/api/agent/enroll" -H 'Content-Type: application/json' \
  -d "{\"enrollment_token\":\"$ENROLL\",\"device_id\":\"d\",\"machine_uid\":\"bench-h2\",\"hostname\":\"h\",\"os\":\"linux\",\"arch\":\"amd64\",\"version\":\"0.1.0\"}" \
  | sed 's/.*"agent_id":"\([^"]*\)".*/\1/')
CFG=$(mktemp)
for i in $(seq 1 "$N"); do
  printf 'url = "%s/api/agents/%s/command"\nrequest = POST\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\ndata = "{\\"command_type\\":\\"sh\\",\\"command\\":\\"echo %s\\"}"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n' \
    "$URL" "$AGENT" "$TOKEN" "$i" >> "$CFG"
  [ "$i" -lt "$N" ] && echo next >> "$CFG"
done
START=$(date +%s%N)
CODES=$(curl -s -K "$CFG" | sort | uniq -c | tr '\n' ' ')
END=$(date +%s%N)
MS=$(( (END - START) / 1000000 ))
echo "jar=$JAR N=$N total=${MS}ms per_submission=$(( MS * 1000 / N ))us http_codes: $CODES h2_file=$(du -k "$DATA/gururmm.mv.db" | cut -f1)KiB load: $(cut -d' ' -f1-3 /proc/loadavg)"
