#!/bin/sh
# The change gate: which components a change needs built.
#   deploy/build-pipeline/gate.sh BEFORE AFTER     the change between two commits (run in the repository)
#   deploy/build-pipeline/gate.sh --paths < FILE   the changed paths, one per line
# Prints the components, space-separated, in build order, or nothing when nothing needs building.
# BEFORE empty or unknown (a new branch, a rewritten history): everything. Rules: components.conf.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
ORDER="agent cli server dashboard installers"
RULES="$HERE/components.conf"

if [ "${1:-}" = "--paths" ]; then
  paths=$(cat)
else
  before="${1:-}"
  after="${2:-HEAD}"
  if [ -z "$before" ] || ! git cat-file -e "$before^{commit}" 2>/dev/null; then
    echo "$ORDER"
    exit 0
  fi
  paths=$(git diff --name-only --no-renames "$before" "$after" --)
fi

chosen=" "
printf '%s\n' "$paths" | {
  while IFS= read -r path; do
    [ -n "$path" ] || continue
    matched=""
    while read -r pattern components; do
      case "$pattern" in ''|'#'*) continue ;; esac
      # shellcheck disable=SC2254 # the pattern is a glob on purpose
      case "$path" in
        $pattern) matched="$components"; break ;;
      esac
    done < "$RULES"
    [ -n "$matched" ] || matched="all"
    for c in $matched; do
      case "$c" in
        -) ;;
        all) chosen=" $ORDER " ;;
        *) case "$chosen" in *" $c "*) ;; *) chosen="$chosen$c " ;; esac ;;
      esac
    done
  done
  out=""
  for c in $ORDER; do
    case "$chosen" in *" $c "*) out="$out${out:+ }$c" ;; esac
  done
  for c in $chosen; do
    case " $ORDER " in *" $c "*) ;; *) echo "gate.sh: components.conf names an unknown component '$c'" >&2; exit 2 ;; esac
  done
  echo "$out"
}
