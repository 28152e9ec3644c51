#!/bin/sh
# Installs the GuruRMM agent as a systemd service.
#   sudo ./install.sh --server https://rmm.example:3001 --token-file FILE [--fingerprint SHA256] [--channel beta] [--jar gururmm-agent.jar] [--no-systemd]
# The token may also come from GURURMM_ENROLLMENT_TOKEN or --token T (the latter is visible in `ps`
# while the script runs; prefer --token-file or the variable).
# GURURMM_ROOT (default empty) installs under another root (a package build, a test); --no-systemd
# writes the unit but neither reloads, enables nor starts it.
# --fingerprint pins the server's TLS certificate (a self-signed server; docs/OPERATIONS.md, "TLS").
# Writes /opt/gururmm/{gururmm-agent.jar,bin/gururmm-agent}, /etc/gururmm/agent.env (0600) and the
# unit, then enables and starts it. Re-running it upgrades the jar and keeps the agent's identity
# (nothing in /var/lib/gururmm is changed but the token file below).
# The enrollment token goes to /var/lib/gururmm/enrollment-token (0600), never into agent.env: a
# variable from there would sit in the agent's environment (/proc/<pid>/environ) for as long as it
# runs, while the agent deletes the file as soon as it has enrolled (or at once, if already enrolled).
set -eu
SERVER="" TOKEN="${GURURMM_ENROLLMENT_TOKEN:-}" TOKEN_FILE="" NO_SYSTEMD="" CHANNEL="stable" JAR="$(dirname "$0")/gururmm-agent.jar" PUBKEY="" FINGERPRINT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER="$2"; shift 2 ;;
    --token) TOKEN="$2"; shift 2 ;;
    --token-file) TOKEN_FILE="$2"; shift 2 ;;
    --no-systemd) NO_SYSTEMD=1; shift ;;
    --channel) CHANNEL="$2"; shift 2 ;;
    --jar) JAR="$2"; shift 2 ;;
    --release-public-key) PUBKEY="$2"; shift 2 ;;
    --fingerprint) FINGERPRINT="$2"; shift 2 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
R="${GURURMM_ROOT:-}"
[ -n "$R" ] || [ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 2; }
if [ -n "$TOKEN_FILE" ]; then
  [ -r "$TOKEN_FILE" ] || { echo "install.sh: cannot read the token file $TOKEN_FILE" >&2; exit 2; }
  TOKEN="$(tr -d ' \r\n' < "$TOKEN_FILE")"
fi
[ -n "$SERVER" ] || { echo "install.sh: --server URL is required" >&2; exit 2; }
[ -f "$JAR" ] || { echo "install.sh: agent jar not found at $JAR (use --jar)" >&2; exit 2; }
case "$CHANNEL" in stable|beta) ;; *) echo "install.sh: --channel must be stable or beta" >&2; exit 2 ;; esac
HERE="$(cd "$(dirname "$0")" && pwd)"
install -d -m 0755 "$R"/opt/gururmm "$R"/opt/gururmm/bin
install -m 0644 "$JAR" "$R"/opt/gururmm/gururmm-agent.jar
install -m 0755 "$HERE/gururmm-agent" "$R"/opt/gururmm/bin/gururmm-agent
install -d -m 0700 "$R"/etc/gururmm
umask 077
{
  echo "GURURMM_SERVER_URL=$SERVER"
  echo "GURURMM_CHANNEL=$CHANNEL"
  if [ -n "$PUBKEY" ]; then echo "GURURMM_RELEASE_PUBLIC_KEY=$PUBKEY"; fi
  if [ -n "$FINGERPRINT" ]; then echo "GURURMM_SERVER_FINGERPRINT=$FINGERPRINT"; fi
} > "$R"/etc/gururmm/agent.env
if [ -n "$TOKEN" ]; then
  # The unit's StateDirectory; systemd keeps an existing one and sets it to StateDirectoryMode (0700).
  install -d -m 0700 "$R"/var/lib/gururmm
  printf '%s\n' "$TOKEN" > "$R"/var/lib/gururmm/enrollment-token.tmp
  chmod 0600 "$R"/var/lib/gururmm/enrollment-token.tmp
  mv -f "$R"/var/lib/gururmm/enrollment-token.tmp "$R"/var/lib/gururmm/enrollment-token
fi
install -d -m 0755 "$R"/etc/systemd/system
install -m 0644 "$HERE/gururmm-agent.service" "$R"/etc/systemd/system/gururmm-agent.service
if [ -n "$NO_SYSTEMD" ]; then
  echo "GuruRMM agent installed under ${R:-/}; systemd was not touched (--no-systemd)."
  exit 0
fi
systemctl daemon-reload
systemctl enable --now gururmm-agent.service
echo "GuruRMM agent installed; 'journalctl -u gururmm-agent' shows its log."
