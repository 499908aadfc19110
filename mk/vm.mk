# mk/vm.mk: the QEMU guest, erstvm and the VM tests.
#
# Included from the main Makefile (`include mk/vm.mk`); it can also be used
# on its own: `make -f mk/vm.mk vmtest`. Everything it needs comes from apt
# (target deps) and from go.mod (u-root, mkuimage, vmtest; see tools.go).
#
# Targets:
#   deps       Install QEMU, the Debian kernel, acpica-tools, OVMF (UEFI
#              firmware for -firmware ovmf) and what make image needs
#              (VM_IMAGE_TOOLS) with apt-get, unless they are all present
#              already; then fail loudly if qemu-system-x86_64, iasl, one of
#              VM_IMAGE_TOOLS or /boot/vmlinuz-*-amd64 (with its /lib/modules
#              tree) is still missing.
#   initramfs  Build the guest initramfs (u-root init and core commands, erst,
#              the guest agent, the kernel's virtio/9p modules) into
#              $(VM_BUILD)/initramfs.cpio (a copy for erstvm -initramfs;
#              nothing needs it). Cached in erst's cache ($ERST_CACHE, else
#              ~/.cache/erst; see vmtest's package doc) by a hash of all
#              inputs: rebuilt only when one of them changed. Also extracts
#              the kernel's uncompressed ELF for QEMU's direct (PVH) boot
#              into the same cache (images.Kernel.Boot).
#   erstvm     Build the host runner into $(VM_BUILD)/bin/erstvm.
#              Use: build/bin/erstvm -- table -json
#   vmtest     Run the VM tests (go test -tags vmtest ./vmtest/): they boot
#              QEMU guests with the acpi-erst device. Run from make they get
#              CI=true (VMTEST_CI), so a missing QEMU or kernel, or a guest
#              run vmtest skipped, fails them instead of skipping them.
#              The tests run in parallel, one guest per core at once
#              (go test's -parallel; VMTEST_FLAGS=-parallel=1 for one at
#              a time). VMTEST_FLAGS=-short: TestGuest on q35 only.
#              Each test prints a line when it starts and when it ends, with
#              its time, and long ones their progress (each power cut as
#              it happens); a failing test's output is printed in full
#              (images/cmd/testlog over go test -json).
#   vm-clean   Remove build/'s image copy and binaries (and what older
#              versions cached there); erst's cache is rm -rf ~/.cache/erst
#              (or $ERST_CACHE).
#
# Variables: VM_BUILD (default build), VM_APT_PACKAGES, VM_QEMU (the QEMU
# binary deps checks for), VM_OVMF (the UEFI firmware image deps checks
# for), VMTEST_TIMEOUT_GO (go test -timeout), VMTEST_FLAGS (extra go test flags, e.g. -run, -v or
# -short), VMTEST_CI (the CI value the VM tests see; default true).

GO ?= go
VM_BUILD ?= build
VM_APT_PACKAGES ?= qemu-system-x86 linux-image-amd64 acpica-tools \
	systemd-boot-efi binutils mtools dosfstools fdisk ovmf
# What make image (mk/image.mk) and its VM tests need from VM_APT_PACKAGES:
# the systemd EFI stub, objcopy, mtools, mkfs.fat, sfdisk and OVMF.
VM_IMAGE_TOOLS := /usr/lib/systemd/boot/efi/linuxx64.efi.stub /usr/bin/objcopy /usr/bin/mcopy \
	/usr/sbin/mkfs.fat /usr/sbin/sfdisk /usr/share/ovmf/OVMF.fd
VM_OVMF ?= /usr/share/ovmf/OVMF.fd
VM_QEMU ?= qemu-system-x86_64
VMTEST_TIMEOUT_GO ?= 20m
VMTEST_FLAGS ?=
VMTEST_CI ?= true
VM_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VM_APT := $(VM_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600

.PHONY: deps initramfs erstvm vmtest vm-clean

# The check runs in the recipe (not at parse time), so `make deps` on a
# machine that has everything costs nothing and never touches apt.
deps:
	@if command -v $(VM_QEMU) >/dev/null 2>&1 && command -v iasl >/dev/null 2>&1 \
	    && [ -f $(VM_OVMF) ] && ls /boot/vmlinuz-*-amd64 >/dev/null 2>&1 \
	    && ls $(VM_IMAGE_TOOLS) >/dev/null 2>&1; then \
	  echo "deps: $(VM_QEMU), iasl, $(VM_OVMF), the image tools and $$(ls /boot/vmlinuz-*-amd64 | tail -n1) present"; \
	else \
	  echo "deps: installing $(VM_APT_PACKAGES)"; \
	  $(VM_APT) update && $(VM_APT) install -y --no-install-recommends $(VM_APT_PACKAGES) || exit 1; \
	fi
	@command -v $(VM_QEMU) >/dev/null 2>&1 || { echo "deps: FAILED: $(VM_QEMU) is still missing" >&2; exit 1; }
	@command -v iasl >/dev/null 2>&1 || { echo "deps: FAILED: iasl (acpica-tools) is still missing" >&2; exit 1; }
	@[ -f $(VM_OVMF) ] || { echo "deps: FAILED: $(VM_OVMF) (ovmf) is still missing" >&2; exit 1; }
	@for f in $(VM_IMAGE_TOOLS); do [ -e "$$f" ] || { echo "deps: FAILED: $$f is still missing (systemd-boot-efi binutils mtools dosfstools fdisk ovmf)" >&2; exit 1; }; done
	@ok=; for k in /boot/vmlinuz-*-amd64; do \
	  [ -f "$$k" ] && [ -d "/lib/modules/$${k#/boot/vmlinuz-}" ] && ok=1; \
	done; [ -n "$$ok" ] || { echo "deps: FAILED: no /boot/vmlinuz-*-amd64 with a /lib/modules tree (linux-image-amd64)" >&2; exit 1; }

# Phony on purpose: mkinitramfs decides from its content hash whether to
# rebuild, which Make's timestamps could not (the inputs include go.sum's
# modules and the kernel's module files).
initramfs: deps
	$(GO) run ./images/cmd/mkinitramfs -v -o $(VM_BUILD)/initramfs.cpio

erstvm:
	$(GO) build -o $(VM_BUILD)/bin/erstvm ./cmd/erstvm

# CI=$(VMTEST_CI), true unless overridden: a VM test that cannot boot fails
# instead of skipping. testlog prints each test as it starts and ends (go
# test alone is silent for minutes) and a failure's whole output; its exit
# status is go test's.
vmtest: deps
	$(GO) build -o $(VM_BUILD)/bin/testlog ./images/cmd/testlog
	CI=$(VMTEST_CI) $(VM_BUILD)/bin/testlog $(GO) test -json -tags vmtest -count=1 -p 1 -timeout $(VMTEST_TIMEOUT_GO) $(VMTEST_FLAGS) ./vmtest/...

vm-clean:
	rm -rf $(VM_BUILD)/initramfs $(VM_BUILD)/initramfs.cpio $(VM_BUILD)/kernel $(VM_BUILD)/resume $(VM_BUILD)/bin/erstvm $(VM_BUILD)/bin/testlog
