#!/usr/bin/env bash
# Throwaway PostGIS server for the tests (used by scripts/test.sh, usable by hand).
#
#   scripts/postgis.sh start DIR   initdb into DIR/data (DIR must exist, ideally an empty
#                                  `mktemp -d /tmp/...`), start PostgreSQL as the `postgres`
#                                  user listening ONLY on 127.0.0.1 on a free port (unix
#                                  socket in DIR, trust auth), create database
#                                  geo_klaster_test with the postgis extension, and print
#                                  its URL on stdout:
#                                    postgresql://postgres@127.0.0.1:PORT/geo_klaster_test
#                                  Progress and errors go to stderr; the server log is
#                                  DIR/postgres.log.
#   scripts/postgis.sh stop DIR    stop that server and remove DIR.
#
# By hand:
#   d=$(mktemp -d /tmp/geo_klaster_pg.XXXXXX)
#   export GEO_KLASTER_TEST_PG=$(scripts/postgis.sh start "$d")
#   ... .venv/bin/python -P -m pytest -m postgis ...
#   scripts/postgis.sh stop "$d"
#
# The newest PostgreSQL under /usr/lib/postgresql/<version>/bin is used (no version is
# hard-coded); scripts/test.sh installs PostgreSQL + PostGIS with apt-get when missing.
# Run as root, the server runs as `postgres` (initdb refuses root); run as another user,
# it runs as that user.
set -euo pipefail

die() { echo "postgis.sh: $*" >&2; exit 1; }

pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/postgres" ] || die "no PostgreSQL server under /usr/lib/postgresql/*/bin"
    echo "$d"
}

# Run a command as the database owner, from / (postgres may not be able to read the cwd).
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

cmd_start() {
    local dir=$1 bin ver port url attempt
    [ -d "$dir" ] || die "start: $dir is not a directory"
    dir=$(cd "$dir" && pwd)
    bin=$(pg_bindir)
    ver=$(basename "$(dirname "$bin")")
    [ -f "/usr/share/postgresql/$ver/extension/postgis.control" ] \
        || die "PostGIS for PostgreSQL $ver is not installed (apt-get install postgresql-$ver-postgis-3)"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    chmod 700 "$dir"

    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    # A free port can be taken between the probe and the bind: retry a few times.
    for attempt in 1 2 3; do
        port=$(free_port)
        cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
        [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/data/postgresql.auto.conf"
        if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null; then
            break
        fi
        [ "$attempt" -lt 3 ] || { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start"; }
    done

    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE DATABASE geo_klaster_test" >&2
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d geo_klaster_test \
        -c "CREATE EXTENSION postgis" >&2
    echo "postgis.sh: PostgreSQL $ver + PostGIS on 127.0.0.1:$port, data in $dir" >&2
    url="postgresql://postgres@127.0.0.1:$port/geo_klaster_test"
    echo "$url"
}

cmd_stop() {
    local dir=$1 bin pid
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(pg_bindir)
        if ! as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) [ $# -eq 2 ] || die "usage: $0 start DIR"; cmd_start "$2" ;;
    stop)  [ $# -eq 2 ] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
    *) die "usage: $0 start DIR | stop DIR" ;;
esac
