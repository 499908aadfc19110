package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
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
			return usagef("-o %s is the %s file %s: refusing to replace it", path, in.flag, in.path)
		}
	}
	return nil
}

// errWriter remembers the first error of the writer it wraps, so that a
// command whose output fails (a full disk, a closed pipe) exits 1 even
// where it does not look at each write's error.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = err
	}
	return n, err
}

func hex64(v uint64) string { return fmt.Sprintf("%#x", v) }

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
