# mk/demo.mk: `make demo`, the product doing its job on the real device.
#
# Included from the main Makefile. It installs what it needs (deps, from
# mk/vm.mk), builds erst, erstvm and mkinitramfs into $(VM_BUILD)/bin, and
# runs mk/demo.sh: three boots of a QEMU guest with the acpi-erst device on
# one backing file in $(DEMO_DIR) (a fresh store each run). Boot 1 writes
# three CPER records built on the host with `erst new`; boot 2, a new QEMU
# process, lists, reads back and decodes them (and the host simulator
# lists the same file); boot 3 clears them and shows the store empty. The
# script checks every step and fails loudly. The first run also builds the
# guest initramfs (cached); the script prints how long that and each run
# took.
#
# Variables: DEMO_DIR (default $(VM_BUILD)/demo).

DEMO_DIR ?= $(VM_BUILD)/demo

.PHONY: demo
demo: deps
	$(GO) build -o $(VM_BUILD)/bin/ ./cmd/erst ./cmd/erstvm ./images/cmd/mkinitramfs
	@sh mk/demo.sh $(VM_BUILD)/bin $(DEMO_DIR)
