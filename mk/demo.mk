# mk/demo.mk: `make demo`, the product doing its job on the real device.
#
# Included from the main Makefile. It installs what it needs (deps, from
# mk/vm.mk), builds erst, erstvm and mkinitramfs into $(VM_BUILD)/bin, and
# runs mk/demo.sh: four runs of a QEMU guest with the acpi-erst device on
# one backing file in $(DEMO_DIR) (a fresh store each run). Run 1 writes
# three CPER records built on the host with `erst new`; run 2, a new QEMU
# process, lists, reads back and decodes them (and the host simulator
# lists the same file); run 3 clears them and shows the store empty. Run 4
# is a real crash: a guest whose Linux kernel owns the device (erstvm
# -linux-erst -crash mce=...) takes a fatal machine check, and the host
# (erst -store) lists and decodes the MCE record and the panic log the
# kernel wrote. The script checks every step and fails loudly. The first
# run also builds the guest initramfs (cached) and boots the guest to save
# it; the script prints how long that and each run took (run 4 always
# boots: the kernel's driver reads the store as it starts).
#
# Variables: DEMO_DIR (default $(VM_BUILD)/demo).

DEMO_DIR ?= $(VM_BUILD)/demo

.PHONY: demo
demo: deps
	$(GO) build -o $(VM_BUILD)/bin/ ./cmd/erst ./cmd/erstvm ./images/cmd/mkinitramfs
	@sh mk/demo.sh $(VM_BUILD)/bin $(DEMO_DIR)
