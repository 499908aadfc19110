package vm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/goerst/erst/images/guestproto"
)

// Exec mode. A guest booted with guestproto.ExecParam on its kernel
// command line mounts nothing and waits for its request on ExecPort: the
// state in which it is saved (saved.go) and resumed, or booted afresh
// (BootExec). The host sends it the request (SendRequest), and it runs
// the request in its shares.

// ExecPort is the virtio-serial port on which a guest in exec mode waits
// for its request.
const ExecPort = "erstvm.0"

// ExecMode sets c up for exec mode: ExecParam on the kernel command line
// and ExecPort, its socket in socketDir. The guest also needs the 9p
// shares of guestproto.WorkTag and ControlTag, which it mounts once its
// request has come.
func (c *Config) ExecMode(socketDir string) {
	c.Cmdline = strings.TrimSpace(c.Cmdline + " " + guestproto.ExecParam + "=" + ExecPort)
	c.Ports = append(c.Ports, Port{Name: ExecPort, Socket: filepath.Join(socketDir, "exec.sock")})
}

// SendRequest sends req to a resumed exec-mode guest, with the host's
// clock when req has none (a resumed guest wakes with the clock it was
// saved with).
func SendRequest(conn net.Conn, req guestproto.Request) error {
	if req.Time == 0 {
		req.Time = time.Now().UnixNano()
	}
	b, err := json.Marshal(req)
	if err == nil {
		_, err = conn.Write(append(b, '\n'))
	}
	return err
}

// StartExec starts QEMU for c, a guest in exec mode (Config.ExecMode), and
// returns it with the host side of its ExecPort, which QEMU connects as
// it starts. Any other port's socket must be listening already.
func StartExec(ctx context.Context, c *Config) (*VM, net.Conn, error) {
	i := slices.IndexFunc(c.Ports, func(p Port) bool { return p.Name == ExecPort })
	if i < 0 {
		return nil, nil, errors.New("vm: StartExec: the config has no exec port (Config.ExecMode)")
	}
	sock := c.Ports[i].Socket
	os.Remove(sock)
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	v, err := Start(ctx, c)
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

// BootExec boots c's guest (exec mode, Config.ExecMode), without saving
// or resuming it, and returns it with its ExecPort's connection once the
// guest says it is up and waits for its request. ctx bounds the boot;
// QEMU then runs until life is done.
func BootExec(ctx, life context.Context, c *Config) (*VM, net.Conn, error) {
	v, conn, err := StartExec(life, c)
	if err != nil {
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

// awaitReady waits for the booting guest's ExecReady line on conn.
func awaitReady(ctx context.Context, v *VM, conn net.Conn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	go func() { <-v.Done(); conn.Close() }()
	ready := make([]byte, len(guestproto.ExecReady)+1)
	if _, err := io.ReadFull(conn, ready); err != nil || string(ready) != guestproto.ExecReady+"\n" {
		return fmt.Errorf("the guest did not say it was up (%q, %v); QEMU: %v; it stopped %s", ready, err, v.Err(), v.Serial.Where())
	}
	return nil
}
