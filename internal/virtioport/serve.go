package virtioport

import (
	"errors"
	"io"
	"time"
)

// Poll is how long to wait before reading a port again after io.EOF: a
// port reads as EOF while its host side is not connected (and, after a
// resume, until QEMU's socket is connected again).
const Poll = 100 * time.Millisecond

// Serve calls serve with port until it returns anything but io.EOF, and
// returns that; after io.EOF it waits [Poll] for the host side to
// connect, and calls serve again.
func Serve(port io.ReadWriter, serve func(io.ReadWriter) error) error {
	for {
		err := serve(port)
		if !errors.Is(err, io.EOF) {
			return err
		}
		time.Sleep(Poll)
	}
}
