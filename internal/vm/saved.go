package vm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/internal/cachedir"
)

// Saved guests. A guest booted in exec mode (exec.go) waits, its shares
// unmounted, for its request on ExecPort; EnsureSaved boots one and saves
// it there (VM.Save, snapshot.go), keyed by what it depends on, and every
// later start resumes it (Config.Resume, StartExec) and sends its request
// (SendRequest). erstvm resumes its guest this way, and so does the
// vmtest harness.

// SavedGuestDir is where saved guests are cached: the cache root's
// resume directory (package internal/cachedir), never the erst source
// tree.
func SavedGuestDir() (string, error) {
	return cachedir.Dir(cachedir.Resume)
}

// savedKey is what a saved guest depends on, kept beside it in FILE.json:
// QEMU resumes a guest only on the same machine and devices (the store's
// size, the virtio-serial ports and 9p shares included), and the guest
// runs the firmware, kernel and initramfs it booted.
type savedKey struct {
	QEMU, Kernel, Initramfs fileID
	BIOS                    fileID `json:",omitzero"` // zero for SeaBIOS: the keys of saved guests from before it stay
	Machine, Accel, Memory  string
	Cmdline                 string
	StoreSize, RecordSize   uint64
	// Devices names the ports and shares in order, not their host side
	// (sockets, directories): erstvm's guest and the harness's differ.
	Devices string
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

func keyFor(c *Config) (savedKey, error) {
	k := savedKey{
		Machine: or(c.Machine, "q35"), Accel: or(c.Accel, "tcg"), Memory: or(c.Memory, DefaultMemory),
		Cmdline: c.Cmdline, StoreSize: c.StoreSize, RecordSize: c.RecordSize,
	}
	var devs []string
	for _, p := range c.Ports {
		devs = append(devs, "port "+p.Name)
	}
	for _, s := range c.Shares {
		devs = append(devs, "9p "+s.Tag)
	}
	k.Devices = strings.Join(devs, ", ")
	qemu, err := exec.LookPath(or(c.QEMU, DefaultQEMU))
	if err != nil {
		return k, err
	}
	for _, f := range []struct {
		id   *fileID
		path string
	}{{&k.QEMU, qemu}, {&k.Kernel, c.Kernel}, {&k.Initramfs, c.Initramfs}, {&k.BIOS, c.BIOS}} {
		if f.path == "" && f.id == &k.BIOS {
			continue
		}
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

// SavedGuestPath is the file in dir for a guest saved booted for c,
// named by its key: what the guest depends on (the QEMU, firmware, kernel
// and initramfs files by path, size and modification time; machine, memory,
// kernel arguments, store geometry, and the names of its ports and
// shares).
func SavedGuestPath(c *Config, dir string) (string, error) {
	k, err := keyFor(c)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(k)
	sum := sha256.Sum256(b)
	return filepath.Join(dir, "guest-"+hex.EncodeToString(sum[:8])+".state"), nil
}

// Saved names a saved guest and how EnsureSaved and StartSaved keep it.
type Saved struct {
	// Path is the saved guest's state file; its key is in Path+".json".
	Path string
	// Cache says that Path is in a cache directory of saved guests
	// (SavedGuestPath), shared with other processes and pruned.
	Cache bool
	// Life bounds the QEMU that StartSaved returns: it runs until Life
	// is done; nil, until it is killed or exits.
	Life context.Context
	// Logf says when a guest boots to be saved, and why one boots
	// instead of resuming; nil discards it.
	Logf func(format string, args ...any)
}

func (s Saved) unpack() (path string, cache bool, life context.Context, logf func(string, ...any)) {
	life, logf = s.Life, s.Logf
	if life == nil {
		life = context.Background()
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return s.Path, s.Cache, life, logf
}

// EnsureSaved makes path (s.Path) hold a guest saved booted for c (in exec mode,
// Config.ExecMode), booting and saving one when it holds none, or one
// saved for another key (path.json holds the key). It refuses to replace
// a file it did not write (no path.json). In a cache directory of saved
// guests (cache), it waits for another process saving the same guest
// (cachedir.Lock) and uses its; it renews a saved guest's modification
// time on every use, and after saving one removes those saved there for
// a kernel, initramfs or QEMU that has changed since, and all but the
// cachedir.KeepResume most recently used. s.Logf says that it boots to
// save.
func EnsureSaved(ctx context.Context, c *Config, s Saved) error {
	path, cache, _, logf := s.unpack()
	want, err := keyFor(c)
	if err != nil {
		return err
	}
	if ok, err := isSaved(path, want, cache); ok || err != nil {
		return err
	}
	if cache {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		unlock, err := cachedir.Lock(ctx, path)
		if err != nil {
			return err
		}
		defer unlock()
		if ok, err := isSaved(path, want, cache); ok || err != nil {
			return err
		}
	}
	logf("booting a guest to save in %s", path)
	// Another process may be saving the same guest: each writes its own
	// temporary files and renames them into place.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	boot := *c
	boot.Monitor, boot.Resume = true, ""
	// The saving boot's other ports connect to listeners of its own, not
	// to the caller's (a socket is the host's side only: it is not in the
	// saved state).
	boot.Ports = slices.Clone(c.Ports)
	sockDir, err := os.MkdirTemp("", "erst-save-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(sockDir)
	for i, p := range boot.Ports {
		if p.Name == ExecPort {
			continue
		}
		boot.Ports[i].Socket = filepath.Join(sockDir, fmt.Sprintf("port%d.sock", i))
		l, err := net.Listen("unix", boot.Ports[i].Socket)
		if err != nil {
			return err
		}
		defer l.Close()
	}
	v, conn, err := StartExec(ctx, &boot)
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
		cachedir.RemoveStale(filepath.Dir(path), "guest-*.tmp", "guest-*.tmp.json")
		cachedir.Prune(filepath.Dir(path), "guest-*.state", cachedir.KeepResume, path, ".json", ".lock")
	}
	return nil
}

// isSaved says whether path holds a guest saved for want, renewing its
// modification time in a cache (the most recently used are kept). It
// fails for a path that exists but was not saved here (no path.json).
func isSaved(path string, want savedKey, cache bool) (bool, error) {
	b, err := os.ReadFile(path + ".json")
	switch {
	case err == nil:
		var have savedKey
		if json.Unmarshal(b, &have) == nil && have == want {
			if _, err := os.Stat(path); err == nil {
				if cache {
					now := time.Now()
					os.Chtimes(path, now, now)
				}
				return true, nil
			}
		}
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	default:
		if _, err := os.Stat(path); err == nil {
			return false, fmt.Errorf("%s exists but %s.json does not: not a guest saved here; remove it or give another file", path, path)
		}
	}
	return false, nil
}

// pruneStale removes the guests saved in dir whose kernel, initramfs,
// firmware or QEMU is gone or has changed: no run will resume them again (a saved
// guest is some 80 MB).
func pruneStale(dir string) {
	keys, _ := filepath.Glob(filepath.Join(dir, "guest-*.state.json"))
	for _, j := range keys {
		var k savedKey
		b, err := os.ReadFile(j)
		if err != nil || json.Unmarshal(b, &k) != nil {
			continue
		}
		for _, f := range []fileID{k.QEMU, k.Kernel, k.Initramfs, k.BIOS} {
			if f == (fileID{}) {
				continue // SeaBIOS: no -bios file
			}
			if now, err := idOf(f.Path); err != nil || now != f {
				os.Remove(strings.TrimSuffix(j, ".json"))
				os.Remove(j)
				os.Remove(strings.TrimSuffix(j, ".json") + ".lock")
				break
			}
		}
	}
}

// StartSaved starts c's guest (exec mode) from the guest saved at s.Path,
// booting and saving it there first when needed (EnsureSaved), and
// returns it with its ExecPort's connection, ready for SendRequest. ctx
// bounds the saving and the resume; QEMU then runs until s.Life is done.
// In a cache of saved guests (s.Cache), a saved guest that does not
// resume (a damaged file) is saved again, once; and when none can be
// saved (an unwritable cache, a QEMU that cannot migrate) the guest boots
// instead, s.Logf saying why. The caller's other ports must be listening.
func StartSaved(ctx context.Context, c *Config, s Saved) (*VM, net.Conn, error) {
	path, cache, life, logf := s.unpack()
	saved := false // the last attempt got past the saving: its failure was the resume
	resume := func() (*VM, net.Conn, error) {
		if err := EnsureSaved(ctx, c, s); err != nil {
			saved = false
			return nil, nil, err
		}
		saved = true
		r := *c
		r.Resume = path
		return StartExec(life, &r)
	}
	// A store locked by another process is no fault of the saved guest:
	// saving again or booting instead would wait for the lock again, each
	// up to store.LockWait. One wait, as documented, then the error.
	v, conn, err := resume()
	if err == nil || !cache || ctx.Err() != nil || errors.Is(err, store.ErrLocked) {
		return v, conn, err
	}
	if saved {
		logf("resuming %s failed (%v); booting to save it again", path, err)
		os.Remove(path)
		os.Remove(path + ".json")
		if v, conn, err = resume(); err == nil || ctx.Err() != nil || errors.Is(err, store.ErrLocked) {
			return v, conn, err
		}
	}
	logf("no saved guest to resume (%v); booting", err)
	b := *c
	b.Resume = ""
	if v, conn, err = StartExec(life, &b); err != nil {
		return nil, nil, err
	}
	if err := awaitReady(ctx, v, conn); err != nil {
		conn.Close()
		v.Kill()
		<-v.Done()
		return nil, nil, err
	}
	return v, conn, nil
}
