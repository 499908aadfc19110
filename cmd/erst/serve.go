package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/goerst/erst/erst/pshed/remote"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
	"github.com/goerst/erst/internal/virtioport"
)

func init() {
	register(&command{Name: "serve", Summary: `Serve the PSHED callbacks (WriteErrorRecord, ReadErrorRecord, ClearErrorRecord), the record
count, ids and error log range over a virtio-serial port (-port), or stdin and stdout (-stdio), one
request at a time, until a shutdown request. The protocol is package erst/pshed/remote's; the
vmtest harness calls it from the host.`, Setup: setupServe})
}

func setupServe(fs *flag.FlagSet) func(*env, []string) error {
	port := fs.String("port", "", "virtio-serial port `name` to serve on (QEMU virtserialport name=)")
	dev := fs.String("dev", "", "character device `file` to serve on, e.g. /dev/vport0p1")
	stdio := fs.Bool("stdio", false, "serve on stdin and stdout; end at the end of stdin")
	return func(e *env, args []string) error {
		if len(args) > 0 {
			return cli.Usagef("serve takes no arguments")
		}
		n := 0
		for _, set := range []bool{*port != "", *dev != "", *stdio} {
			if set {
				n++
			}
		}
		if n != 1 {
			return cli.Usagef("serve wants exactly one of -port, -dev and -stdio")
		}
		d, err := e.open(target.ReadWrite)
		if err != nil {
			return err
		}
		b, err := remote.NewDeviceBackend(d.Device)
		if err != nil {
			return err
		}
		srv := &remote.Server{Backend: b}
		if *stdio {
			err := srv.Serve(struct {
				io.Reader
				io.Writer
			}{e.stdin, e.stdout})
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		path := *dev
		if *port != "" {
			if path, err = virtioport.Find(*port, virtioport.Wait); err != nil {
				return err
			}
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(e.stderr, "erst serve: serving %s on %s\n", d.Where, path)
		return virtioport.Serve(f, srv.Serve) // nil after a shutdown request
	}
}
