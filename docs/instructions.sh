#!/bin/sh
# docs/instructions.sh: the instruction counts of docs/performance.md's
# "In a guest" section. Counts, with valgrind's callgrind, the
# instructions one 1 KiB write and one read take through the driver
# (Device.Write, Device.ReadInto, with all they call) and as their floor
# (Device.Replay: the same register accesses replayed raw), over
# BenchmarkDriverVsFloor's registers that cost nothing: the count for
# N+1000 operations minus the count for 1000, divided by N. Under TCG every
# instruction is paid for; the difference is the driver's own work.
#
# Usage, from the root of the erst source tree (needs valgrind):
#   sh docs/instructions.sh [N]     N operations (default 50000)
set -eu

n=${1:-50000}
command -v valgrind >/dev/null || { echo "instructions: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/erst.test" ./erst/

# ir BENCH FUNC ITERATIONS: the instructions run inside FUNC (inclusive)
# by the sub-benchmark BENCH of BenchmarkDriverVsFloor. Go's asynchronous
# preemption signals stop callgrind, so it is off.
ir() {
	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect="github.com/goerst/erst/erst.(*Device).$2" \
		"$dir/erst.test" -test.run '^$' -test.bench "^BenchmarkDriverVsFloor\$/^$1\$" -test.benchtime "$3x" 2>&1 |
		awk '/Collected :/ { print $NF }'
}

# per BENCH FUNC: instructions per operation.
per() {
	echo $(( ($(ir "$1" "$2" $((n + 1000))) - $(ir "$1" "$2" 1000)) / n ))
}

printf '%-6s %8s %8s %8s\n' op driver floor extra
w=$(per write/driver Write)
f=$(per write/floor Replay)
printf '%-6s %8d %8d %8d\n' write "$w" "$f" $((w - f))
r=$(per read/driver ReadInto)
f=$(per read/floor Replay)
printf '%-6s %8d %8d %8d\n' read "$r" "$f" $((r - f))
