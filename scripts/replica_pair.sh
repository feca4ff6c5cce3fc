#!/usr/bin/env bash
# A small PostgreSQL primary and its streaming standby, for the replica test (issue 13 item 6).
#
#   scripts/replica_pair.sh start DIR [PRIMARY_PORT] [STANDBY_PORT]   (default 5433 and 5434)
#   scripts/replica_pair.sh stop DIR
#
# Two fresh clusters of their own under DIR, made with initdb and pg_basebackup -R (never a copy
# of the shared 5432 cluster, which may hold large benchmark databases). Throwaway: fsync off,
# trust on loopback. Idempotent: a pair already running is left as it is. Runs the PostgreSQL
# tools as the postgres user when called as root (initdb refuses root).
set -euo pipefail

BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
action="${1:?start or stop}"
dir="${2:?directory}"
primary_port="${3:-5433}"
standby_port="${4:-5434}"

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
ready() { "$BIN/pg_isready" -h 127.0.0.1 -p "$1" -q; }

case "$action" in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/primary/PG_VERSION" ]; then
        as_pg "$BIN/initdb" -D "$dir/primary" -U postgres --auth=trust -E UTF8 \
            --locale=C.UTF-8 >"$dir/initdb.log"
        cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 32MB
fsync = off
full_page_writes = off
CONF
        grep -q "^host *replication" "$dir/primary/pg_hba.conf" \
            || echo "host replication all 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
    fi
    ready "$primary_port" || as_pg "$BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w start >/dev/null
    if [ ! -f "$dir/standby/PG_VERSION" ]; then
        as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
            -D "$dir/standby" -R -X stream -c fast
        echo "port = $standby_port" >>"$dir/standby/postgresql.conf"
    fi
    ready "$standby_port" || as_pg "$BIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w start >/dev/null
    echo "primary 127.0.0.1:$primary_port, standby 127.0.0.1:$standby_port ($dir)"
    ;;
stop)
    for cluster in standby primary; do
        if [ -f "$dir/$cluster/postmaster.pid" ]; then
            as_pg "$BIN/pg_ctl" -D "$dir/$cluster" -m fast -w stop >/dev/null || true
        fi
    done
    ;;
*)
    echo "usage: $0 start|stop DIR [PRIMARY_PORT] [STANDBY_PORT]" >&2
    exit 2
    ;;
esac
