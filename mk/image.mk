# mk/image.mk: `make image`, the bootable ERST check for real machines.
#
# Included from the main Makefile. It installs what it needs (deps, from
# mk/vm.mk: the Debian kernel, systemd-boot-efi's EFI stub, mtools,
# dosfstools, fdisk) and runs images/cmd/mkimage, which writes into
# $(IMAGE_DIR):
#   erst-live.img    a GPT disk image with one EFI system partition that
#                    UEFI firmware boots from removable media
#                    (\EFI\BOOT\BOOTX64.EFI, a unified kernel image); dd it
#                    to a USB stick
#   vmlinuz          the same kernel, and
#   initramfs.cpio   its initramfs, for PXE, kexec or a LinuxBoot flash
# No root, loop device or mount is needed. The initramfs is cached as the
# guest's is (images.Build) and rebuilt only when an input changed.
#
# Variables: IMAGE_DIR (default $(VM_BUILD)/image).

IMAGE_DIR ?= $(VM_BUILD)/image

.PHONY: image
image: deps
	$(GO) run ./images/cmd/mkimage -v -o $(IMAGE_DIR) -readme docs/erst-live.txt
