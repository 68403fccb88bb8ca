#!/usr/bin/env bash
# The layers (docs/ARCHITECTURE.md) as a rule the build enforces: a file may
# include only from its own layer or one below it.
#   lib/    -> lib/
#   wipe/   -> lib/, wipe/
#   certs/  -> lib/, certs/
#   cli/    -> anything above
# Product code never includes test support.
set -u
cd "$(dirname "$0")/.."
bad=0
check() { # FOLDER ALLOWED-REGEX
	local hits
	hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' --include='*.c' --include='*.h' "$1" |
		grep -vE "#[[:space:]]*include[[:space:]]+\"($2)/" || true)
	if [ -n "$hits" ]; then
		printf 'layers: %s may include only from %s:\n%s\n' "$1/" "$2" "$hits" >&2
		bad=1
	fi
}
check lib 'lib'
check wipe 'lib|wipe'
check certs 'lib|certs'
check cli 'lib|wipe|certs|cli'
[ "$bad" -eq 0 ] && echo "layers: lib < wipe, certs < cli"
exit "$bad"
