# ERST toolkit.
#   make test   what CI runs: installs QEMU, the Debian kernel and iasl
#               (apt), then go vet, staticcheck, the unit tests and the VM
#               tests; fails, never skips, when a VM cannot boot.
#   make build  build every package and command.
#   make demo   three QEMU boots of one record store: write CPER records, read
#               them back after a power-off, clear them (mk/demo.mk).
# See mk/vm.mk for the guest image, erstvm and the VM test targets.
GO ?= go
STATICCHECK_VERSION := v0.8.2

.PHONY: all build test vet staticcheck unit
all: build

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...
	$(GO) vet -tags vmtest ./vmtest/... ./erst/hw/linuxhw/...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags vmtest ./...

# The unit tests compare the table decoder with iasl, so they need deps too.
unit: deps
	CI=true $(GO) test -count=1 ./...

test: deps vet staticcheck unit vmtest

include mk/vm.mk
include mk/demo.mk
