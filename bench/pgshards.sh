#!/bin/sh
# Issue 16's closing figure: a simulated fleet of HOSTS hosts (default
# 10,000, 95% healthy, default checks) swept as 4 shards started at once,
# RUNS times (default 2), alternating: without --state, then each shard
# recording into one PostgreSQL database (a throwaway server on loopback,
# durability off, as the tests run it). Prints the wall time until the last
# shard ends, and the episodes and sweeps the database then holds. Needs
# initdb/postgres (PATH or /usr/lib/postgresql/N/bin); as root it runs
# PostgreSQL as the postgres user. The store's own costs are Go benchmarks:
#   go test -run '^$' -bench Record -benchtime 10x -count 5 ./state
set -eu
cd "$(dirname "$0")/.."
hosts=${HOSTS:-10000}
runs=${RUNS:-2}
tmp=$(mktemp -d)
chmod 755 "$tmp"
bin=$tmp/fleetcheck
go build -o "$bin" ./cmd/fleetcheck
initdb=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
pgbin=$(dirname "$(readlink -f "$initdb")")
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$tmp/pg"; [ "$(id -u)" = 0 ] && chown postgres "$tmp/pg"
as_pg "$pgbin/initdb" -D "$tmp/pg" -U postgres -A trust --no-sync >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null
"$bin" sim --hosts "$hosts" --healthy 0.95 --dir "$tmp/sim" >"$tmp/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null; rm -rf "$tmp"' EXIT
while ! grep -q serving "$tmp/sim.log" 2>/dev/null; do sleep 1; done
url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
args="--inventory $tmp/sim/inventory.yaml --ssh-config $tmp/sim/ssh_config --known-hosts $tmp/sim/known_hosts --no-progress -o json"
now() { date +%s.%N; }
shards() { # extra args: 4 shards at once, prints the wall time
	t0=$(now)
	pids=""
	for i in 0 1 2 3; do "$bin" sweep $args --shard $i/4 "$@" >/dev/null & pids="$pids $!"; done
	for p in $pids; do wait "$p" || true; done
	echo "$(now) - $t0" | bc
}
i=0
while [ $i -lt "$runs" ]; do
	echo "run $((i + 1)): 4 shards without --state: $(shards) s"
	echo "run $((i + 1)): 4 shards with --state postgres: $(shards --state "$url") s"
	i=$((i + 1))
done
"$bin" digest --state "$url" -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("digest:", sum(len(t.get("new",[]))+len(t.get("ongoing",[])) for t in d["teams"]), "groups")'
as_pg "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -Atc "SELECT 'sweeps ' || count(*) || ', hosts ' || sum(hosts) || ', results ' || sum(results) FROM sweeps; SELECT 'episodes ' || count(*) || ', open ' || count(*) FILTER (WHERE end_kind = '') FROM episodes;"
uptime
