package main

import (
	"fmt"

	"github.com/goerst/erst/internal/atomicfile"
)

// writeFileAtomic writes b to the -o file path, whole or not at all
// (atomicfile.Write); errors name the flag and path.
func writeFileAtomic(path string, b []byte) error {
	if err := atomicfile.Write(path, b); err != nil {
		return fmt.Errorf("-o %w", err)
	}
	return nil
}
