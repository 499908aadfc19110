#!/bin/sh
# mk/demo.sh: what `make demo` runs (see mk/demo.mk). Four runs of one
# QEMU guest with the acpi-erst device on one backing file, each a new QEMU
# process (erstvm boots the guest once and resumes it after that; the store
# is the file, never the saved guest): run 1 writes three CPER records,
# run 2 (a full power cycle later) lists, reads and decodes them, run 3
# clears them. Run 4 is a real crash: a guest whose own Linux ERST driver
# owns the device takes a fatal machine check, and the host lists and
# decodes what the dying kernel wrote. Every step is checked;
# any failure exits non-zero.
#
# Usage, from the root of the erst source tree:
#   sh mk/demo.sh BINDIR [DEMODIR]
#   BINDIR   holds erst, erstvm and mkinitramfs (make demo builds them)
#   DEMODIR  work directory (default build/demo): the guest's working
#            directory, so it holds the records, the store and what the
#            guest writes back. The demo's own files in it are replaced
#            each run.
set -eu

bin=$(cd "${1:?usage: demo.sh BINDIR DEMODIR}" && pwd)
dir=${2:-build/demo}
src=$(pwd) # the erst source tree: the guest's commands are built from it
store=$dir/erst.backing

fail() { echo "demo: FAILED: $*" >&2; exit 1; }

# hexbytes HH...: write the bytes with these hex values.
hexbytes() {
	for b; do
		n=$((0x$b))
		printf "\\$((n >> 6))$((n >> 3 & 7))$((n & 7))"
	done
}

# le HEX: the number HEX (an even number of hex digits), least
# significant byte first, as CPER's fields are.
le() {
	h=$1
	while [ -n "$h" ]; do
		rest=${h%??}
		hexbytes "${h#"$rest"}"
		h=$rest
	done
}

# A fresh store and fresh records each run. Only the demo's own files are
# removed: DEMODIR may be any directory.
mkdir -p "$dir"
cd "$dir"
rm -f initramfs.cpio erst.backing memory-ce.bin mce-fatal.bin pstore-dmesg.bin \
	mem.body mce.body readback.bin dump.txt host.out boot1.out boot2.out boot3.out \
	boot4.out crash.txt host4.out

# The image is built on first use and cached by a hash of its inputs;
# the hard link here keeps this run's image even if another build prunes
# the cache meanwhile.
t0=$(date +%s)
"$bin/mkinitramfs" -src "$src" -o initramfs.cpio >/dev/null ||
	fail "building the guest initramfs"
echo "host: guest initramfs ready in $(($(date +%s) - t0)) s (built on first use, then cached)"

# Three records of the kind an ERST store holds after a crash, with the
# ids Linux gives them (cper_next_record_id: the time in seconds << 32, + 1
# for each record).
t=$(date +%s)
id1=$(printf '0x%x' $(((t << 32) + 1)))
id2=$(printf '0x%x' $(((t << 32) + 2)))
id3=$(printf '0x%x' $(((t << 32) + 3)))

# 1. A corrected memory error: a UEFI Platform Memory section (§N.2.5),
#    80 bytes. (Linux itself saves only 2 and 3 to ERST; the creator is
#    left at erst new's default.)
{
	le 000000000000c37e # validation: address, mask, node, card, module, bank, row, column, type, rank
	le 0000000000000000 # error status
	le 000000023a5f1c40 # physical address
	le ffffffffffffffc0 # physical address mask: one cache line
	le 0000             # node
	le 0000             # card
	le 0003             # module (DIMM)
	le 0005             # bank
	le 0000             # device
	le 1a2b             # row
	le 03c0             # column
	le 0000             # bit position
	le 0000000000000000 # requestor id
	le 0000000000000000 # responder id
	le 0000000000000000 # target id
	le 02               # memory error type: single-bit ECC
	le 00               # extended
	le 0001             # rank
	le 0000             # card handle
	le 0000             # module handle
} >mem.body
# 2. A fatal machine check as Linux's apei_write_mce saves it right
#    before it panics: Linux's MCE section, a struct mce (128 bytes).
{
	le be00000000800400 # MCi_STATUS: VAL UC EN MISCV ADDRV PCC, internal timer error
	le 0000000000000086 # MCi_MISC
	le 000000023a5f1c40 # MCi_ADDR
	le 0000000000000005 # MCG_STATUS: RIPV MCIP
	le ffffffff8102f3a4 # ip
	le 000002a3c1d2e3f4 # tsc
	le "$(printf '%016x' "$t")" # time
	hexbytes 00 00 00 00 # cpuvendor (Intel), inject_flags, severity, pad
	le 000806ec         # cpuid
	hexbytes 10 04 01 01 # cs, bank 4, cpu 1, finished
	le 00000001         # extcpu
	le 00000000         # socketid
	le 00000002         # apicid
	le 0000000001000c14 # MCG_CAP
	le 0000000000000000 # synd
	le 0000000000000000 # ipid
	le 0000000000000000 # ppin
	le 000000f4         # microcode
	le 00000000         # padding
	le 0000000000000000 # kflags
} >mce.body
# 3. The kernel log of the panic, as pstore saves it (uncompressed).
panic_log="Panic#1 Part1
<4>[  312.402117] mce: [Hardware Error]: CPU 1: Machine Check Exception: 5 Bank 4: be00000000800400
<4>[  312.402140] mce: [Hardware Error]: RIP 10:<ffffffff8102f3a4> {intel_idle+0x74/0x110}
<0>[  312.402163] Kernel panic - not syncing: Fatal machine check"

erst() { "$bin/erst" "$@"; }
erst new -id "$id1" -severity corrected -notify CMC -creator LinuxPstore -section PlatformMemory -payload mem.body -o memory-ce.bin
erst new -id "$id2" -severity fatal -notify MCE -creator LinuxPstore -section MCE -payload mce.body -o mce-fatal.bin
erst new -id "$id3" -severity fatal -notify MCE -creator LinuxPstore -section DMESG -text "$panic_log" -o pstore-dmesg.bin
rm mem.body mce.body
echo "host: built 3 CPER records with erst new in $dir:"
echo "  memory-ce.bin     $id1  corrected memory error (UEFI platform memory section)"
echo "  mce-fatal.bin     $id2  fatal machine check (Linux MCE section)"
echo "  pstore-dmesg.bin  $id3  the panic's kernel log (Linux pstore DMESG section)"

# shquote ARGS...: the arguments as a shell would need them, each after a
# space.
shquote() {
	for a; do
		case $a in
		'' | *[!A-Za-z0-9_./=:-]*) printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
}

# boot N TITLE ERSTVM-ARGS...: one QEMU run, its output in boot<N>.out (shown
# once the guest has powered off), its stderr straight through.
boot() {
	n=$1 title=$2
	shift 2
	echo
	echo "run $n/4: $title (store: $store)"
	echo "  \$ erstvm$(shquote "$@")"
	t0=$(date +%s)
	st=0
	"$bin/erstvm" -store erst.backing -initramfs initramfs.cpio "$@" >"boot$n.out" || st=$?
	t1=$(date +%s)
	[ "$st" = 0 ] || { sed 's/^/  /' "boot$n.out"; fail "run $n: erstvm exited with status $st"; }
	secs=$((t1 - t0))
}
done_boot() { echo "run $1/4: done in $secs s; QEMU powered off"; }

boot 1 "writing 3 CPER records through QEMU's acpi-erst device" \
	-- write memory-ce.bin mce-fatal.bin pstore-dmesg.bin
sed 's/^/  /' boot1.out
for id in "$id1" "$id2" "$id3"; do
	grep -qx "$id" boot1.out || fail "run 1 did not report writing $id"
done
done_boot 1

boot 2 "a new QEMU process: listing, reading back and decoding the records" \
	-run gosh -- -c "erst ls && erst read -o readback.bin $id2 && erst dump >dump.txt"
sed 's/^/  /' boot2.out
for id in "$id1" "$id2" "$id3"; do
	grep -q "^$id " boot2.out || fail "run 2 did not list $id, written in run 1"
	grep -q "^record $id " dump.txt || fail "run 2's dump did not decode $id"
done
[ "$(grep -c '^record ' dump.txt)" = 3 ] || fail "run 2's dump has not exactly 3 records (see $dir/dump.txt)"
cmp -s readback.bin mce-fatal.bin || fail "record $id2 read back in run 2 differs from mce-fatal.bin"
echo "  read $id2 -> readback.bin: identical to mce-fatal.bin"
echo "  dump decoded 3 records into $dir/dump.txt; the last one:"
sed -n "/^record $id3 /,\$p" dump.txt | sed 's/^/  | /'
done_boot 2

echo
echo "host: the simulator reads the store QEMU wrote:"
echo "  \$ erst -store $store ls"
erst -store erst.backing ls >host.out || fail "erst -store $store ls"
sed 's/^/  /' host.out
[ "$(grep -c '^0x' host.out)" = 3 ] || fail "the host simulator does not see the 3 records in $store"

boot 3 "clearing every record" -run gosh -- -c "erst clear -all && erst info"
sed 's/^/  /' boot3.out
for id in "$id1" "$id2" "$id3"; do
	grep -qx "cleared $id" boot3.out || fail "run 3 did not clear $id"
done
grep -q '^records: *0$' boot3.out || fail "run 3: the store is not empty after clear -all"
done_boot 3

# 4. A real crash: Linux's own ERST driver and pstore own the device
#    (-linux-erst); QEMU injects a fatal machine check (MCi_STATUS VAL UC
#    EN MISCV ADDRV PCC, bank 1, MCi_MISC's address LSB 6) and the kernel
#    saves it and its panic log into ERST before it dies.
mce_status=0xbe00000000800400 mce_addr=0x23a5f1c47 mce_misc=0x86
mce_keeps=0x23a5f1c40 # Linux keeps the address from MCi_MISC's LSB (bit 6) up
boot 4 "Linux's own ERST driver; QEMU injects a fatal machine check" \
	-linux-erst -crash "mce=1:$mce_status:$mce_addr:$mce_misc"
sed 's/^/  /' boot4.out
grep -q '^Kernel panic - not syncing: ' boot4.out || fail "run 4: the kernel did not panic"
echo "run 4/4: done in $secs s; the kernel panicked and QEMU exited"

echo
echo "host: what the dying kernel wrote:"
echo "  \$ erst -store $store ls"
erst -store erst.backing ls >host4.out || fail "erst -store $store ls"
sed 's/^/  /' host4.out
grep -q 'sections=MCE ' host4.out || fail "no MCE record from Linux in $store"
grep -q 'sections=DMESG_Z ' host4.out || fail "no panic log (DMESG_Z) from Linux in $store"
echo "  \$ erst -store $store dump   (the machine check, decoded; the panic log's end)"
erst -store erst.backing dump >crash.txt || fail "erst -store $store dump"
sed -n '/Linux struct mce/,/^ *cpu:/p' crash.txt | grep -E 'struct mce|status:|Flags:|misc:|addr:|bank:|cpu:' | sed 's/^ */  | /'
grep 'Kernel panic - not syncing' crash.txt | sed 's/^ */  /' | head -n 1
grep -q "status: $mce_status" crash.txt || fail "the MCE record's status is not $mce_status"
grep -q "addr: $mce_keeps" crash.txt || fail "the MCE record's address is not $mce_keeps"
grep -q "bank: 1\$" crash.txt || fail "the MCE record's bank is not 1"
grep -q "Kernel panic - not syncing: $(sed 's/^Kernel panic - not syncing: //' boot4.out)" crash.txt ||
	fail "the panic log Linux wrote lacks the panic line"

echo
echo "demo: ok: records written in run 1 were read back in run 2 and cleared in run 3;"
echo "  in run 4 Linux recorded a real machine check and its panic (files in $dir)"
