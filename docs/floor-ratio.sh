#!/bin/sh
# docs/floor-ratio.sh: the figures of docs/performance.md's "In a guest"
# section. Runs `erstvm -- bench` RUNS times on a fresh store, alternating
# a resumed guest and a booted one (-boot), and prints per run the write
# and read median latency and floor_ratio (the driver against the same
# register accesses replayed raw, paired per iteration; floor× in erst
# bench's table), then how many
# runs kept write and read within 1.10, and the load average before and
# after.
#
# Usage, from the root of the erst source tree, after `make build`:
#   sh docs/floor-ratio.sh [RUNS [erst bench flags...]]
#   RUNS   number of runs (default 10)
#   flags  passed to erst bench -json (default: -n 1000 -size 1K)
# ERSTVM names the erstvm binary (default build/bin/erstvm).
set -eu

runs=${1:-10}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- -n 1000 -size 1K
erstvm=$(cd "$(dirname "${ERSTVM:-build/bin/erstvm}")" && pwd)/$(basename "${ERSTVM:-build/bin/erstvm}")
src=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# erst bench -json $*"
printf '%-4s %-7s %10s %12s %10s %12s\n' run guest 'write p50' floor_ratio 'read p50' floor_ratio
i=1
while [ "$i" -le "$runs" ]; do
	mode=resumed boot=
	if [ $((i % 2)) -eq 0 ]; then
		mode=booted boot=-boot
	fi
	rm -f "$dir/erst.backing"
	(cd "$dir" && "$erstvm" -src "$src" $boot -- bench -json "$@") >"$dir/out" ||
		{ echo "floor-ratio: run $i: erstvm failed" >&2; exit 1; }
	# erst bench -json prints one key a line: "op", then its "p50_ns" and
	# "floor_ratio".
	awk -v i="$i" -v mode="$mode" '
		{ gsub(/[",]/, "") }
		$1 == "op:" { op = $2 }
		$1 == "p50_ns:" { p50[op] = $2 / 1000 }
		$1 == "floor_ratio:" { fr[op] = $2 }
		END { printf "%-4s %-7s %7.1f µs %12.3f %7.1f µs %12.3f\n", i, mode, p50["write"], fr["write"], p50["read"], fr["read"] }' "$dir/out" |
		tee -a "$dir/runs"
	i=$((i + 1))
done
# within OP COLUMN: how many runs kept the column within 1.10, the median
# and the range.
within() {
	sort -n -k "$2" "$dir/runs" | awk -v op="$1" -v c="$2" '
		{ v[NR] = $c; if ($c <= 1.10) in_++ }
		END { printf "%s within 1.10 in %d of %d runs (median %.3f, range %.3f-%.3f)\n",
			op, in_, NR, v[int((NR + 1) / 2)], v[1], v[NR] }'
}
within write 5
within read 8
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
