#!/bin/sh
# Issue 13's end-to-end figure: the same 10,000-host sweep of a simulated
# fleet (default checks) with and without --state, alternating, RUNS times
# each (default 3); prints wall and client CPU (user+sys) of every run and
# the medians. The store's own costs are Go benchmarks:
#   go test -run '^$' -bench RecordHealthy -benchtime 50x ./state
#   go test -run '^$' -bench History100 -benchtime 20x -timeout 30m ./digest
set -eu
cd "$(dirname "$0")/.."
hosts=${HOSTS:-10000}
runs=${RUNS:-3}
tmp=$(mktemp -d)
bin=$tmp/fleetcheck
go build -o "$bin" ./cmd/fleetcheck
"$bin" sim --hosts "$hosts" --healthy 0.95 --dir "$tmp/sim" >"$tmp/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null; rm -rf "$tmp"' EXIT
while ! grep -q serving "$tmp/sim.log" 2>/dev/null; do sleep 1; done
args="--inventory $tmp/sim/inventory.yaml --ssh-config $tmp/sim/ssh_config --known-hosts $tmp/sim/known_hosts --no-progress -o json"
# One sweep into the store first, so that the measured ones continue a history.
"$bin" sweep $args --state "$tmp/fleet.db" >/dev/null || true
measure() { # label, extra args
	/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$bin" sweep $args "$@" >/dev/null || true
	set -- $(tail -n 1 "$tmp/time")
	echo "$1 $(echo "$2 + $3" | bc)"
}
: >"$tmp/plain"; : >"$tmp/state"
i=0
while [ $i -lt "$runs" ]; do
	p=$(measure); echo "without --state: wall ${p% *} s, cpu ${p#* } s"; echo "$p" >>"$tmp/plain"
	s=$(measure --state "$tmp/fleet.db"); echo "with --state:    wall ${s% *} s, cpu ${s#* } s"; echo "$s" >>"$tmp/state"
	i=$((i + 1))
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pw=$(cut -d' ' -f1 "$tmp/plain" | median); pc=$(cut -d' ' -f2 "$tmp/plain" | median)
sw=$(cut -d' ' -f1 "$tmp/state" | median); sc=$(cut -d' ' -f2 "$tmp/state" | median)
echo "median without --state: wall $pw s, cpu $pc s"
echo "median with --state:    wall $sw s, cpu $sc s"
echo "ratios: wall $(echo "scale=3; $sw / $pw" | bc), cpu $(echo "scale=3; $sc / $pc" | bc)"
ls -l "$tmp/fleet.db"
