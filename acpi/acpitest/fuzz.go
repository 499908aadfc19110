package acpitest

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
)

// SeedTables returns the corpus tables' bytes for fuzz seed corpora, or
// nil when the corpus is absent (fuzz targets then seed from their own
// fixtures alone).
func SeedTables() [][]byte {
	root, err := moduleRoot()
	if err != nil {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(root, CorpusRel, "*.dat"))
	sort.Strings(paths)
	var out [][]byte
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// AllocBytes returns how many bytes the process allocated while f ran, so
// that a fuzz target can check that a decoder allocates no more than its
// input justifies. Other goroutines' allocations count too; give limits
// some slack.
func AllocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
