package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/goerst/erst/images/guestproto"
	"github.com/goerst/erst/internal/vm"
)

// execPort is the virtio-serial port on which a guest booted for -resume
// (exec mode, guestproto.ExecParam) waits for its request.
const execPort = "erstvm.0"

// resumeKey is what a saved guest depends on, kept beside it in FILE.json:
// QEMU resumes a guest only on the same machine and devices (the store's
// size included), and the guest runs the kernel and initramfs it booted.
type resumeKey struct {
	QEMU, Kernel, Initramfs fileID
	Machine, Accel, Memory  string
	Cmdline                 string
	StoreSize, RecordSize   uint64
}

// fileID names a file's version: its path, size and modification time.
type fileID struct {
	Path    string
	Size    int64
	ModTime int64 // Unix nanoseconds
}

func idOf(path string) (fileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileID{}, err
	}
	return fileID{Path: path, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}, nil
}

func keyFor(c *vm.Config) (resumeKey, error) {
	k := resumeKey{Machine: c.Machine, Accel: c.Accel, Memory: c.Memory, Cmdline: c.Cmdline, StoreSize: c.StoreSize, RecordSize: c.RecordSize}
	qemu, err := exec.LookPath(c.QEMU)
	if err != nil {
		return k, err
	}
	for _, f := range []struct {
		id   *fileID
		path string
	}{{&k.QEMU, qemu}, {&k.Kernel, c.Kernel}, {&k.Initramfs, c.Initramfs}} {
		abs, err := filepath.Abs(f.path)
		if err == nil {
			*f.id, err = idOf(abs)
		}
		if err != nil {
			return k, err
		}
	}
	return k, nil
}

// ensureSaved makes path hold a guest saved booted for c (exec mode),
// booting and saving one when it holds none, or one saved for another
// key. It refuses to replace a file it did not write (no path.json).
func ensureSaved(ctx context.Context, c *vm.Config, path string, stderr io.Writer) error {
	want, err := keyFor(c)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path + ".json")
	switch {
	case err == nil:
		var have resumeKey
		if json.Unmarshal(b, &have) == nil && have == want {
			if _, err := os.Stat(path); err == nil {
				return nil
			}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("-resume: %w", err)
	default:
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("-resume %s: the file exists but %s.json does not, so erstvm did not save it; remove it or give another file", path, path)
		}
	}
	fmt.Fprintf(stderr, "erstvm: booting a guest to save in %s for -resume\n", path)
	boot := *c
	boot.Monitor = true
	v, conn, err := startExec(ctx, &boot)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = awaitReady(ctx, v, conn)
	if err == nil {
		err = v.Save(ctx, path+".tmp")
	}
	v.Kill()
	v.Wait()
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err == nil {
		b, _ := json.MarshalIndent(want, "", "\t")
		err = os.WriteFile(path+".json", append(b, '\n'), 0o644)
	}
	if err != nil {
		os.Remove(path + ".tmp")
		return fmt.Errorf("saving the booted guest: %w", err)
	}
	return nil
}

// startExec starts QEMU for c, a guest in exec mode, and returns it with
// the host side of its port, which QEMU connects as it starts.
func startExec(ctx context.Context, c *vm.Config) (*vm.VM, net.Conn, error) {
	sock := c.Ports[0].Socket
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	v, err := vm.Start(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	go func() { <-v.Done(); ln.Close() }()
	conn, err := ln.Accept()
	if err != nil {
		v.Kill()
		<-v.Done()
		return nil, nil, fmt.Errorf("QEMU did not connect to %s (%v); QEMU: %v; it stopped %s", sock, err, v.Err(), v.Serial.Where())
	}
	return v, conn, nil
}

// awaitReady waits for the booting guest's ExecReady line on conn.
func awaitReady(ctx context.Context, v *vm.VM, conn net.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	go func() { <-v.Done(); conn.Close() }()
	ready := make([]byte, len(guestproto.ExecReady)+1)
	if _, err := io.ReadFull(conn, ready); err != nil || string(ready) != guestproto.ExecReady+"\n" {
		return fmt.Errorf("the guest did not say it was up (%q, %v); QEMU: %v; it stopped %s", ready, err, v.Err(), v.Serial.Where())
	}
	return nil
}

// sendRequest sends the request to a resumed exec-mode guest.
func sendRequest(conn net.Conn, o *options) error {
	b, err := json.Marshal(guestproto.Request{Command: o.command, Args: o.args})
	if err == nil {
		_, err = conn.Write(append(b, '\n'))
	}
	return err
}
