#!/bin/sh
# docs/count-qemu.sh: how many QEMU guests a command starts, booted and
# resumed (docs/performance.md, "The VM suite"). It puts a
# qemu-system-x86_64 first in PATH that notes each start, a resume when
# QEMU is given -incoming (internal/vm's saved guests), a boot otherwise,
# and runs the real QEMU. The saved guests are keyed by the QEMU binary's
# path, so under the wrapper every kind of guest boots once and is saved,
# as on a fresh machine; the guests saved for the wrapper are removed at
# the end (from build/resume and the user cache's erst/resume).
#
# Usage, from the root of the erst source tree:
#   sh docs/count-qemu.sh COMMAND [ARGS...]     e.g. sh docs/count-qemu.sh make vmtest
set -eu

[ $# -gt 0 ] || { echo "usage: sh docs/count-qemu.sh COMMAND [ARGS...]" >&2; exit 2; }
real=$(command -v qemu-system-x86_64) || { echo "count-qemu: no qemu-system-x86_64 in PATH" >&2; exit 1; }
dir=$(mktemp -d)
# forget removes the guests saved for the wrapper, then the wrapper.
forget() {
	for j in build/resume/*.json "${XDG_CACHE_HOME:-$HOME/.cache}"/erst/resume/*.json; do
		[ -f "$j" ] && grep -q "\"$dir/qemu-system-x86_64\"" "$j" && rm -f "${j%.json}" "$j"
	done
	rm -rf "$dir"
}
trap forget EXIT
: >"$dir/log"
cat >"$dir/qemu-system-x86_64" <<EOS
#!/bin/sh
case " \$* " in
*" -incoming "*) echo resume >>"$dir/log" ;;
*) echo boot >>"$dir/log" ;;
esac
exec "$real" "\$@"
EOS
chmod +x "$dir/qemu-system-x86_64"
status=0
PATH=$dir:$PATH "$@" || status=$?
echo "count-qemu: $(grep -c '^boot$' "$dir/log") boots, $(grep -c '^resume$' "$dir/log") resumes (exit status $status)"
exit "$status"
