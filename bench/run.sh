#!/bin/sh
# Benchmarks of issue 7: builds fleetcheck-bench and runs it over the
# scenarios of the targets. Usage:
#   bench/run.sh            the targets (about 10 minutes on 2 cores)
#   bench/run.sh quick      100 hosts, one run, with the OpenSSH side (seconds)
#   bench/run.sh -- ARGS    fleetcheck-bench ARGS (any scenario)
# Extra environment: RUNS (default 3), PROFILE=DIR (CPU and heap profiles).
set -eu
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/fleetcheck-bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/fleetcheck-bench
runs=${RUNS:-3}
profile=""
if [ -n "${PROFILE:-}" ]; then profile="--profile $PROFILE"; fi
case "${1:-}" in
quick)
	"$bin" --quick
	;;
--)
	shift
	"$bin" "$@"
	;;
"")
	# 0 ms latency: 100, 1,000 and 10,000 hosts at the default fanout and at 1,000.
	"$bin" --runs "$runs" $profile --hosts 100,1000,10000 --latency 0 --fanout 0,1000
	# 20 ms latency, 10,000 hosts at fanout 1,000 (target: under 30 s).
	"$bin" --runs "$runs" $profile --hosts 10000 --latency 20ms --fanout 1000
	# 100 ms latency, 1,000 hosts.
	"$bin" --runs "$runs" $profile --hosts 1000 --latency 100ms --fanout 1000
	# Against one ssh process per host, same 1,000 hosts, same parallelism.
	"$bin" --runs "$runs" --openssh --hosts 1000 --latency 0 --fanout 0,1000
	;;
*)
	echo "usage: bench/run.sh [quick | -- FLEETCHECK-BENCH-ARGS]" >&2
	exit 64
	;;
esac
