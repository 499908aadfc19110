package virtioport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// Serve starts over after each io.EOF (a port whose host side is not
// connected yet), on the same port, and returns anything else: nil after
// a shutdown, or an error.
func TestServe(t *testing.T) {
	other := errors.New("write failed")
	for _, last := range []error{nil, other} {
		var port bytes.Buffer
		calls := 0
		err := Serve(&port, func(rw io.ReadWriter) error {
			calls++
			if rw != &port {
				t.Errorf("call %d: served %T, not the port", calls, rw)
			}
			if calls < 3 {
				return fmt.Errorf("read: %w", io.EOF)
			}
			return last
		})
		if err != last || calls != 3 {
			t.Errorf("Serve = %v after %d calls; want %v after 3", err, calls, last)
		}
	}
}
