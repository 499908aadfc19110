package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goerst/erst/images"
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

// resumeCacheDir is where erstvm keeps the booted guests it resumes by
// default: build/resume in the erst source tree when it built the
// initramfs there, else the user's cache directory.
func resumeCacheDir(o *options, wd string) string {
	src := o.src
	if src == "" {
		src, _ = images.FindSource(wd)
	}
	if src != "" && o.initramfs == "" {
		return filepath.Join(src, "build", "resume")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "erst", "resume")
	}
	return filepath.Join(os.TempDir(), "erst-resume")
}

// cachedGuest is the file in dir for a guest saved booted for c, named
// by its key.
func cachedGuest(c *vm.Config, dir string) (string, error) {
	k, err := keyFor(c)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(k)
	sum := sha256.Sum256(b)
	return filepath.Join(dir, "guest-"+hex.EncodeToString(sum[:8])+".state"), nil
}

// ensureSaved makes path hold a guest saved booted for c (exec mode),
// booting and saving one when it holds none, or one saved for another
// key. It refuses to replace a file it did not write (no path.json). In
// erstvm's cache (cache), it then removes the guests saved there for a
// kernel, initramfs or QEMU that has changed since. logf says that it
// boots to save (under -v: erstvm's stderr is otherwise the command's).
func ensureSaved(ctx context.Context, c *vm.Config, path string, cache bool, logf func(string, ...any)) error {
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
	if cache {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		logf("booting a guest to save in %s; later runs resume it (-boot: boot every time)", path)
	} else {
		logf("booting a guest to save in %s for -resume", path)
	}
	// Another erstvm may be saving the same guest: each writes its own
	// temporary files and renames them into place.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	boot := *c
	boot.Monitor, boot.Resume = true, ""
	v, conn, err := startExec(ctx, &boot)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = awaitReady(ctx, v, conn)
	if err == nil {
		err = v.Save(ctx, tmp)
	}
	v.Kill()
	v.Wait()
	if err == nil {
		b, _ := json.MarshalIndent(want, "", "\t")
		err = os.WriteFile(tmp+".json", append(b, '\n'), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = os.Rename(tmp+".json", path+".json")
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".json")
		return fmt.Errorf("saving the booted guest: %w", err)
	}
	if cache {
		pruneStale(filepath.Dir(path))
	}
	return nil
}

// pruneStale removes the guests saved in dir whose kernel, initramfs or
// QEMU is gone or has changed: no run will resume them again (a saved
// guest is some 80 MB).
func pruneStale(dir string) {
	keys, _ := filepath.Glob(filepath.Join(dir, "guest-*.state.json"))
	for _, j := range keys {
		var k resumeKey
		b, err := os.ReadFile(j)
		if err != nil || json.Unmarshal(b, &k) != nil {
			continue
		}
		for _, f := range []fileID{k.QEMU, k.Kernel, k.Initramfs} {
			if now, err := idOf(f.Path); err != nil || now != f {
				os.Remove(strings.TrimSuffix(j, ".json"))
				os.Remove(j)
				break
			}
		}
	}
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
	b, err := json.Marshal(guestproto.Request{Command: o.command, Args: o.args, Time: time.Now().UnixNano()})
	if err == nil {
		_, err = conn.Write(append(b, '\n'))
	}
	return err
}
