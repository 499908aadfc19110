package main

import (
	"os"

	"github.com/goerst/erst/internal/cli"
)

// checkOutput refuses an -o file that is the -store or -table file (the
// same file, however named: os.SameFile), which writing the output would
// replace.
func (e *env) checkOutput(path string) error {
	if path == "" {
		return nil
	}
	out, err := os.Stat(path)
	if err != nil {
		return nil // a new file, or one the write will report
	}
	for _, in := range []struct{ flag, path string }{{"-store", e.g.store}, {"-table", e.g.tablePath}} {
		if in.path == "" {
			continue
		}
		if st, err := os.Stat(in.path); err == nil && os.SameFile(out, st) {
			return cli.Usagef("-o %s is the %s file %s: refusing to replace it", path, in.flag, in.path)
		}
	}
	return nil
}
