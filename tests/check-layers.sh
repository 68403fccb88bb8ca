#!/usr/bin/env bash
# The layers (docs/ARCHITECTURE.md) as a rule the build enforces: a file may
# include only from its own layer or one below it.
#   lib/    -> lib/
#   wipe/   -> lib/, wipe/
#   certs/  -> lib/, certs/
#   cli/    -> anything above
#   cli/session/ -> lib/, wipe/, certs/, cli/session/: the one wipe session
#           that every front end drives; it prints nothing (no stdio
#           output, no cli/ printing headers), so kesu wipe and kesu station
#           decide alone what the operator sees.
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
check cli/session 'lib|wipe|certs|cli/session'
# Output functions and streams; snprintf into a buffer is fine.
prints=$(grep -rnE '\b(printf|fprintf|vfprintf|dprintf|puts|fputs|putchar|fputc|putc|perror|fwrite|json_dumpf|isatty)[[:space:]]*\(|\b(stdout|stderr|stdin)\b' \
	--include='*.c' --include='*.h' cli/session || true)
if [ -n "$prints" ]; then
	printf 'layers: cli/session/ prints nothing; the front end shows what the observer hears:\n%s\n' "$prints" >&2
	bad=1
fi
[ "$bad" -eq 0 ] && echo "layers: lib < wipe, certs < cli/session (silent) < cli"
exit "$bad"
