# ERST toolkit.
#   make test   what CI runs: installs QEMU, OVMF, the Debian kernel, iasl
#               and the image tools (apt, make deps), then go vet (also for darwin and windows: cross),
#               staticcheck, the unit tests, make image and the VM tests;
#               fails, never skips, when a VM cannot boot.
#   make check  go vet and the unit tests: no apt, no network once the module
#               cache is filled (go mod download); tests that need iasl or
#               the corpus say why they skip unless CI=true.
#   make cross  build and vet the host toolkit for darwin and windows.
#   make build  build every package; erst and erstvm into build/bin.
#   make image  the bootable ERST check for real machines: a USB stick image
#               and a kernel+initramfs pair in build/image (mk/image.mk).
#   make demo   four QEMU runs on one record store: write CPER records, read
#               them back after a power-off, clear them, then a real crash
#               that Linux records (mk/demo.mk).
# See mk/vm.mk for the guest image, erstvm and the VM test targets.
GO ?= go

.PHONY: all build check cross test vet staticcheck unit
all: build

build:
	$(GO) build ./...
	$(GO) build -o $(VM_BUILD)/bin/ ./cmd/...

# goimports (pinned in go.mod's tool directive) lists any file it would
# change: gofmt's layout plus the import grouping internal/style tests.
vet:
	$(GO) vet ./...
	$(GO) vet -tags vmtest ./vmtest/... ./erst/hw/linuxhw/...
	@out=$$($(GO) tool goimports -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "goimports -w needed on:" $$out; exit 1; fi

# staticcheck is pinned in go.mod's tool directive: it runs from the module
# cache, with no download at every run.
staticcheck:
	$(GO) tool staticcheck ./...
	$(GO) tool staticcheck -tags vmtest ./...

check: vet
	$(GO) test -count=1 ./...

# The host toolkit (tables, records, -store files) works on macOS and
# Windows too; the live device is Linux-only.
cross:
	GOOS=darwin GOARCH=arm64 $(GO) vet ./...
	GOOS=windows GOARCH=amd64 $(GO) vet ./...

# The unit tests compare the table decoder with iasl, so they need deps too.
unit: deps
	CI=true $(GO) test -count=1 ./...

test: deps vet staticcheck cross unit image vmtest

include mk/vm.mk
include mk/demo.mk
include mk/image.mk

# make mutate puts each fault listed in mk/mutate/faults.go (faults a
# mutation audit once found no test catching) into a temporary copy of the
# checkout, one at a time, and runs the tests that must catch it; it fails
# when one is missed. A few minutes; not part of make test.
.PHONY: mutate
mutate:
	$(GO) run ./mk/mutate
