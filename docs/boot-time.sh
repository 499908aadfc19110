#!/bin/sh
# docs/boot-time.sh: the figures of docs/boot-measurements.md's summary.
# Times `erstvm -- info` RUNS times each way, alternating: resuming
# erstvm's saved guest, and booting (-boot); each run on a fresh store.
# Prints every run's wall time, each way's median, and the load average
# before and after. The first resumed run after a change to the kernel,
# initramfs, QEMU or machine boots and saves; it is printed apart, and
# left out of the median.
#
# Usage, from the root of the erst source tree, after `make build`:
#   sh docs/boot-time.sh [RUNS [erstvm flags...]]
#   RUNS   runs each way (default 5)
# ERSTVM names the erstvm binary (default build/bin/erstvm).
set -eu

runs=${1:-5}
[ $# -gt 0 ] && shift
erstvm=$(cd "$(dirname "${ERSTVM:-build/bin/erstvm}")" && pwd)/$(basename "${ERSTVM:-build/bin/erstvm}")
src=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

now() { date +%s.%N; }

# wall [erstvm flags]: one `erstvm -- info`'s wall time in seconds.
wall() {
	rm -f "$dir/erst.backing"
	t0=$(now)
	(cd "$dir" && "$erstvm" -src "$src" "$@" -- info) >/dev/null ||
		{ echo "boot-time: erstvm $* -- info failed" >&2; exit 1; }
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] }'
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "first resumed run (boots and saves when nothing is saved yet): $(wall "$@") s"
: >"$dir/resumed"
: >"$dir/booted"
i=1
while [ "$i" -le "$runs" ]; do
	wall "$@" >>"$dir/resumed"
	wall -boot "$@" >>"$dir/booted"
	i=$((i + 1))
done
echo "resumed: $(tr '\n' ' ' <"$dir/resumed")s, median $(median "$dir/resumed") s"
echo "-boot:   $(tr '\n' ' ' <"$dir/booted")s, median $(median "$dir/booted") s"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
