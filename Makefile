# ERST toolkit. `make test` is what CI runs; see README.md.
GO ?= go
STATICCHECK_VERSION := v0.8.2

.PHONY: all build test vet staticcheck unit
all: build

build:
	$(GO) build ./...

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

unit:
	$(GO) test -count=1 ./...

test: vet staticcheck unit
