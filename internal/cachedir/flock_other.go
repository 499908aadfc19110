//go:build !unix

package cachedir

import "os"

// Without flock, Lock excludes no one: two processes may build the same
// entry at once, and the rename into place keeps it whole.
func tryLock(*os.File) error { return nil }

func lock(*os.File) error { return nil }

// exclusive says whether Lock excludes other holders here.
const exclusive = false
