# A throwaway PostgreSQL cluster for the database register tests; source
# after tests/lib.sh.  The server runs as an unprivileged user (postgres
# refuses root) in its own temporary directory, listens only on a unix
# socket there (no TCP), and is stopped and removed on exit, also when a
# test fails.
PGBIN=${KESU_PGBIN:-/usr/lib/postgresql/15/bin}
PG_RUNAS=${KESU_PG_USER:-nobody}
PG_DIR=
PG_SUPER=postgres

pg_stop() {
	[ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ] || return 0
	runuser -u "$PG_RUNAS" -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop \
		>/dev/null 2>&1
	rm -rf "$PG_DIR"
	PG_DIR=
}
trap 'pg_stop; t_cleanup' EXIT

# pg_start: initdb and start; PGHOST-style socket directory in $PG_DIR.
pg_start() {
	[ -x "$PGBIN/initdb" ] || { echo "pglib: $PGBIN/initdb missing; run 'make deps'" >&2; return 1; }
	PG_DIR=$(mktemp -d /tmp/kesu-pg.XXXXXX) || return 1
	chown "$PG_RUNAS" "$PG_DIR" && chmod 0700 "$PG_DIR" || return 1
	runuser -u "$PG_RUNAS" -- "$PGBIN/initdb" -D "$PG_DIR/data" -U "$PG_SUPER" \
		--auth-local=trust --auth-host=reject -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	# One role authenticates by password, so errors can be checked for leaks.
	sed -i '/^# TYPE/a local all pwstation scram-sha-256' "$PG_DIR/data/pg_hba.conf"
	export PG_DIR
	pg_ctl_start
}

pg_ctl_start() {
	runuser -u "$PG_RUNAS" -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c max_connections=60" \
		start >/dev/null || { tail -n 20 "$PG_DIR/server.log" >&2; return 1; }
}

pg_crash() {
	runuser -u "$PG_RUNAS" -- "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null
}

# psql_as ROLE [DB] -c SQL...: run SQL as ROLE over the socket.
psql_as() {
	local role=$1 db=kesu
	shift
	case "${1:-}" in -*) ;; *) db=$1; shift ;; esac
	"$PGBIN/psql" "host=$PG_DIR user=$role dbname=$db" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# pg_url ROLE [DB]: the register URL for ROLE.
pg_url() {
	echo "postgresql://$1@/${2:-kesu}?host=$PG_DIR"
}
export PGBIN
export -f psql_as pg_url
