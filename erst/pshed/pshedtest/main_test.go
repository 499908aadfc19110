package pshedtest_test

import (
	"testing"

	"github.com/goerst/erst/internal/guesttest"
)

// TestMain: in a vmtest guest each benchmark runs once (see guesttest.Main).
func TestMain(m *testing.M) { guesttest.Main(m) }
