package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goerst/erst/internal/size"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-machine", "pc", "-store-size", "2M", "-record-size", "16K", "-timeout", "1m", "--", "read", "-o", "out.bin", "0x5"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.machine != "pc" || o.storeSize != 2<<20 || o.recordSize != 16<<10 || o.timeout != time.Minute || o.accel != "tcg" || o.command != "erst" || o.store != "erst.backing" {
		t.Errorf("options = %+v", o)
	}
	if want := []string{"read", "-o", "out.bin", "0x5"}; !reflect.DeepEqual(o.args, want) {
		t.Errorf("args = %q, want %q", o.args, want)
	}
}

func TestParseFlagsErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-machine", "virt"},
		{"-accel", "hvf"},
		{"-record-size", "6000"},
		{"-record-size", "2048"},
		{"-store-size", "12Q"},
		{"-run", "/bin/sh"},
		{"-timeout", "0s"},
		{"-resume", "g.state", "-boot"},
		{"-resume", "g.state", "-linux-erst"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-machine", "virt"}, &bytes.Buffer{}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "q35 or pc") {
		t.Errorf("run with a bad -machine: exit %d, stderr %q", code, stderr.String())
	}
}

func TestTailer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stdout")
	var out bytes.Buffer
	tl := &tailer{path: path, w: &out}
	tl.copy() // not there yet
	if err := os.WriteFile(path, []byte("one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tl.copy()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("two\x00\xff\n")
	f.Close()
	done := make(chan struct{})
	close(done)
	tl.follow(done)
	if got := out.String(); got != "one\ntwo\x00\xff\n" {
		t.Errorf("tailed %q", got)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]uint64{"4096": 4096, "64K": 64 << 10, "1M": 1 << 20, "1MiB": 1 << 20, "0x2000": 0x2000, "2g": 2 << 30} {
		if got, err := size.Parse(in); err != nil || got != want {
			t.Errorf("size.Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestParseCrash(t *testing.T) {
	for in, want := range map[string]crash{
		"panic":                              {},
		"mce":                                defaultMCE,
		"mce=3:0xbe00000000000001:4096:0x8c": {mce: true, bank: 3, status: 0xbe00000000000001, addr: 4096, misc: 0x8c, mcgStatus: 0x5},
	} {
		if got, err := parseCrash(in); err != nil || got != want {
			t.Errorf("parseCrash(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "oops", "mcex", "mce=", "mce=1:2:3", "mce=1:2:3:4:5", "mce=1:x:3:4", "mce=256:1:2:3", "mce=-1:1:2:3", "panic=1"} {
		if _, err := parseCrash(in); err == nil {
			t.Errorf("parseCrash(%q) succeeded", in)
		}
	}
	for _, args := range [][]string{
		{"-crash", "mce"}, // needs -linux-erst
		{"-linux-erst", "-crash", "mce", "--", "info"},      // no command
		{"-linux-erst", "-crash", "panic", "-run", "dmesg"}, // no command
		{"-linux-erst", "-crash", "reboot"},
	} {
		if _, err := parseFlags(args, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	o, err := parseFlags([]string{"-linux-erst", "-crash", "mce=2:0xb:0xc:0xd"}, &bytes.Buffer{})
	if err != nil || o.crash == nil || o.crash.bank != 2 || o.crash.misc != 0xd {
		t.Errorf("parseFlags(-linux-erst -crash mce=2:0xb:0xc:0xd) = %+v, %v", o, err)
	}
}
