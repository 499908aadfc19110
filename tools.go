//go:build tools

// This file pins the versions of the tools and VM-test libraries the
// guest images are built with (see images/ and vmtest/): u-root v0.16.0,
// vmtest and mkuimage at the commits u-root v0.16.0 itself uses, and
// golang.org/x/sys v0.49.0. The tools build tag keeps it out of every
// normal build; `go mod tidy` still sees the imports and keeps the
// requirements.
package tools

import (
	_ "github.com/hugelgupf/vmtest"
	_ "github.com/u-root/mkuimage/uimage"
	_ "github.com/u-root/u-root"
	_ "golang.org/x/sys/unix"
)
