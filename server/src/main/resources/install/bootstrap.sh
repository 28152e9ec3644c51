# --- the rest is the same for every server (server/src/main/resources/install/bootstrap.sh) ---
# Usage: curl -fsSL -H "Authorization: Bearer $T" SERVER/install.sh | sudo GURURMM_ENROLLMENT_TOKEN="$T" sh
#    or: sh install.sh --token-file FILE [--server URL] [--channel stable|beta] [--no-systemd]
# (--token T works too, but puts the token in the process list while it runs.)
# It downloads this server's agent build for the machine's architecture with the enrollment token,
# checks it against the server's published .sha256, then runs packaging/linux/install.sh (below)
# to install the agent as the gururmm-agent systemd service, which enrolls with the token.
# The token never appears in a command line of its own (curl reads it from a config on stdin)
# and is written only to 0600 files in a 0700 temporary directory, removed on exit.
die() { echo "gururmm install: $*" >&2; exit 2; }
TOKEN="${GURURMM_ENROLLMENT_TOKEN:-}" TOKEN_FILE="" SERVER="$GURURMM_DEFAULT_SERVER" CHANNEL="$GURURMM_DEFAULT_CHANNEL"
FINGERPRINT="$GURURMM_DEFAULT_FINGERPRINT" NO_SYSTEMD=""
while [ $# -gt 0 ]; do
  case "$1" in
    --token) [ $# -ge 2 ] || die "--token needs a value"; TOKEN="$2"; shift 2 ;;
    --token-file) [ $# -ge 2 ] || die "--token-file needs a value"; TOKEN_FILE="$2"; shift 2 ;;
    --server) [ $# -ge 2 ] || die "--server needs a value"; SERVER="$2"; shift 2 ;;
    --channel) [ $# -ge 2 ] || die "--channel needs a value"; CHANNEL="$2"; shift 2 ;;
    --fingerprint) [ $# -ge 2 ] || die "--fingerprint needs a value"; FINGERPRINT="$2"; shift 2 ;;
    --no-systemd) NO_SYSTEMD=1; shift ;;
    *) die "unknown option $1" ;;
  esac
done
if [ -n "$TOKEN_FILE" ]; then
  [ -r "$TOKEN_FILE" ] || die "cannot read the token file $TOKEN_FILE"
  TOKEN="$(tr -d ' \r\n' < "$TOKEN_FILE")"
fi
[ -n "$TOKEN" ] || die "an enrollment token is required (GURURMM_ENROLLMENT_TOKEN, --token-file or --token)"
case "$TOKEN" in *[!A-Za-z0-9_.-]*) die "the enrollment token has characters no token has" ;; esac
case "$CHANNEL" in stable|beta) ;; *) die "--channel must be stable or beta" ;; esac
[ -n "${GURURMM_ROOT:-}" ] || [ "$(id -u)" = 0 ] || die "run as root (sudo)"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is required"
case "$(uname -m)" in
  x86_64|amd64) ARCH=amd64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  i386|i486|i586|i686) ARCH=386 ;;
  *) die "no agent build exists for the architecture $(uname -m)" ;;
esac
if [ "$CHANNEL" = beta ]; then FILE="$(gururmm_beta "$ARCH")"; else FILE="$(gururmm_stable "$ARCH")"; fi
[ -n "$FILE" ] || die "the server has no $CHANNEL agent build for linux-$ARCH; publish one first"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
chmod 0700 "$WORK"
umask 077
printf '%s\n' "$TOKEN" > "$WORK/token"
# A self-signed server: pin its public key instead of trusting a CA.
TLS=""
if [ -n "$GURURMM_DEFAULT_PUBKEY_PIN" ] && [ "$SERVER" = "$GURURMM_DEFAULT_SERVER" ]; then
  TLS="--insecure --pinnedpubkey sha256//$GURURMM_DEFAULT_PUBKEY_PIN"
fi
fetch() {
  # printf is a shell builtin: the token reaches curl through stdin, never through argv.
  printf 'header = "Authorization: Bearer %s"\n' "$TOKEN" | curl -fsS --retry 3 $TLS -K - -o "$2" "$SERVER/downloads/$1" \
    || die "could not download $1 from $SERVER (a revoked, expired or used-up token is refused)"
}
fetch "$FILE" "$WORK/$FILE"
fetch "$FILE.sha256" "$WORK/$FILE.sha256"
EXPECTED="$(cut -d' ' -f1 < "$WORK/$FILE.sha256")"
case "$EXPECTED" in *[!0-9a-f]*|"") die "the server's $FILE.sha256 holds no SHA-256" ;; esac
[ "${#EXPECTED}" -eq 64 ] || die "the server's $FILE.sha256 holds no SHA-256"
ACTUAL="$(sha256sum "$WORK/$FILE" | cut -d' ' -f1)"
[ "$ACTUAL" = "$EXPECTED" ] || die "$FILE has SHA-256 $ACTUAL but the server published $EXPECTED; nothing was installed"
mkdir "$WORK/pkg"
gururmm_packaging "$WORK/pkg"
mv "$WORK/$FILE" "$WORK/pkg/gururmm-agent.jar"
set -- --server "$SERVER" --channel "$CHANNEL" --token-file "$WORK/token" --jar "$WORK/pkg/gururmm-agent.jar"
if [ -n "$FINGERPRINT" ]; then set -- "$@" --fingerprint "$FINGERPRINT"; fi
if [ -n "$GURURMM_DEFAULT_RELEASE_KEY" ]; then set -- "$@" --release-public-key "$GURURMM_DEFAULT_RELEASE_KEY"; fi
if [ -n "$NO_SYSTEMD" ]; then set -- "$@" --no-systemd; fi
sh "$WORK/pkg/install.sh" "$@"
