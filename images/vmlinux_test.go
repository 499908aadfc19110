package images

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goerst/erst/internal/cachedir"
	"github.com/ulikunitz/xz/lzma"
)

// elfWithNotes builds a minimal x86-64 ELF executable: the file header,
// one PT_NOTE program header and the notes.
func elfWithNotes(t *testing.T, notes []byte) []byte {
	t.Helper()
	le := binary.LittleEndian
	const ehsize, phsize = 64, 56
	b := make([]byte, ehsize+phsize)
	copy(b, "\x7fELF")
	b[4] = 2                        // ELFCLASS64
	b[5] = 1                        // ELFDATA2LSB
	b[6] = 1                        // EV_CURRENT
	le.PutUint16(b[16:], 2)         // e_type ET_EXEC
	le.PutUint16(b[18:], 62)        // e_machine EM_X86_64
	le.PutUint32(b[20:], 1)         // e_version
	le.PutUint64(b[24:], 0x1000000) // e_entry
	le.PutUint64(b[32:], ehsize)    // e_phoff
	le.PutUint16(b[52:], ehsize)    // e_ehsize
	le.PutUint16(b[54:], phsize)    // e_phentsize
	le.PutUint16(b[56:], 1)         // e_phnum
	le.PutUint16(b[58:], 64)        // e_shentsize
	p := b[ehsize:]
	le.PutUint32(p[0:], 4)                   // p_type PT_NOTE
	le.PutUint64(p[8:], ehsize+phsize)       // p_offset
	le.PutUint64(p[32:], uint64(len(notes))) // p_filesz
	le.PutUint64(p[40:], uint64(len(notes))) // p_memsz
	le.PutUint64(p[48:], 4)                  // p_align
	return append(b, notes...)
}

// note is one ELF note: namesz, descsz, type, name and descriptor padded
// to four bytes.
func note(name string, typ uint32, desc []byte) []byte {
	pad := func(b []byte) []byte { return append(b, make([]byte, (4-len(b)%4)%4)...) }
	n := append([]byte(name), 0)
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(n)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(desc)))
	b = binary.LittleEndian.AppendUint32(b, typ)
	return append(append(b, pad(n)...), pad(append([]byte(nil), desc...))...)
}

// pvhELF is an ELF like the Debian kernel's: several Xen notes, the PVH
// entry among them.
func pvhELF(t *testing.T) []byte {
	return elfWithNotes(t, bytes.Join([][]byte{
		note("GNU", 3, []byte{1, 2, 3, 4}),
		note("Xen", 6, []byte("linux")),
		note("Xen", xenElfnotePhys32Entry, []byte{0x50, 0x08, 0x00, 0x01, 0, 0, 0, 0}),
	}, nil))
}

// xzStream encodes data the way the kernel's scripts/xz_wrap.sh does:
// one block, x86 BCJ then LZMA2, CRC32 check. The index and footer,
// which decodeXZ does not read, are left out.
func xzStream(t *testing.T, data []byte) []byte {
	t.Helper()
	le := binary.LittleEndian
	filtered := append([]byte(nil), data...)
	bcjX86(filtered, 0, true)
	var lz bytes.Buffer
	w, err := lzma.Writer2Config{DictCap: 1 << 20}.NewWriter2(&lz)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(filtered); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Stream header: magic, flags (CRC32 check), CRC32 of the flags.
	s := append([]byte(nil), xzMagic...)
	s = append(s, 0x00, xzCheckCRC32)
	s = le.AppendUint32(s, crc32.ChecksumIEEE(s[6:8]))
	// Block header: size, flags (two filters), x86 (no properties),
	// LZMA2 (dictionary 1 MiB: property 16, 2<<(16/2+11)), padding, CRC32.
	h := []byte{0, 0x01, xzFilterX86, 0x00, xzFilterLZMA2, 0x01, 16}
	for (len(h)+4)%4 != 0 {
		h = append(h, 0)
	}
	h[0] = byte((len(h)+4)/4 - 1)
	h = le.AppendUint32(h, crc32.ChecksumIEEE(h))
	s = append(s, h...)
	s = append(s, lz.Bytes()...)
	for (len(s)-12)%4 != 0 {
		s = append(s, 0)
	}
	return le.AppendUint32(s, crc32.ChecksumIEEE(data))
}

// codeLike is data with many E8/E9 (call/jmp rel32) opcodes, the bytes the
// BCJ filter rewrites.
func codeLike(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		switch r.IntN(8) {
		case 0:
			b[i] = 0xe8
		case 1:
			b[i] = 0xe9
		case 2, 3:
			b[i] = 0x00
		case 4:
			b[i] = 0xff
		default:
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

func TestBCJX86RoundTrip(t *testing.T) {
	data := codeLike(1 << 16)
	buf := append([]byte(nil), data...)
	bcjX86(buf, 0, true)
	if bytes.Equal(buf, data) {
		t.Fatal("encoding changed nothing: the data has no convertible branches")
	}
	bcjX86(buf, 0, false)
	if !bytes.Equal(buf, data) {
		t.Error("decode(encode(data)) != data")
	}
}

func TestExtractELF(t *testing.T) {
	vmlinux := append(pvhELF(t), codeLike(100000)...)
	// A bzImage: setup code, then the decompressor (which holds a false
	// start of the magic), then the payload, then the kernel's trailer.
	bz := append(bytes.Repeat([]byte{0x90}, 5000), xzMagic[:5]...)
	bz = append(bz, xzStream(t, vmlinux)...)
	bz = append(bz, 1, 2, 3, 4)
	got, err := ExtractELF(bz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, vmlinux) {
		t.Errorf("ExtractELF returned %d bytes that differ from the %d put in", len(got), len(vmlinux))
	}
	if e, err := PVHEntry(got); err != nil || e != 0x1000850 {
		t.Errorf("PVHEntry = %#x, %v; want 0x1000850", e, err)
	}
}

func TestExtractELFErrors(t *testing.T) {
	noPVH := elfWithNotes(t, note("Xen", 6, []byte("linux")))
	good := xzStream(t, append(pvhELF(t), codeLike(5000)...))
	corrupt := append([]byte(nil), good...)
	corrupt[len(corrupt)-4] ^= 1 // the CRC32 of the uncompressed data
	for _, tc := range []struct {
		name string
		bz   []byte
		want error
	}{
		{"no payload", bytes.Repeat([]byte("kernel"), 100), ErrNoXZPayload},
		{"no PVH note", xzStream(t, noPVH), ErrNoPVH},
		{"not ELF", xzStream(t, codeLike(5000)), ErrNotELF},
		{"bad check", corrupt, ErrXZ},
		{"truncated", good[:len(good)/2], ErrXZ},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ExtractELF(tc.bz); !errors.Is(err, tc.want) {
				t.Errorf("ExtractELF: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPVHEntryTruncatedNote(t *testing.T) {
	n := note("Xen", xenElfnotePhys32Entry, []byte{1, 2, 3, 4})
	binary.LittleEndian.PutUint32(n[4:], 64) // descsz past the end
	if _, err := PVHEntry(elfWithNotes(t, n)); !errors.Is(err, ErrNoPVH) {
		t.Errorf("PVHEntry with a truncated note: %v, want ErrNoPVH", err)
	}
}

func TestKernelBoot(t *testing.T) {
	dir := t.TempDir()
	vmlinux := append(pvhELF(t), codeLike(5000)...)
	good := Kernel{Path: filepath.Join(dir, "vmlinuz-good")}
	bad := Kernel{Path: filepath.Join(dir, "vmlinuz-bad")}
	if err := os.WriteFile(good.Path, append([]byte("setup"), xzStream(t, vmlinux)...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad.Path, []byte("a gzip kernel"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	for range 2 { // extracted, then from the cache
		b := good.Boot(cache)
		if !b.Direct || b.Fallback != nil {
			t.Fatalf("Boot(good) = %+v, want the direct ELF", b)
		}
		if got, err := os.ReadFile(b.Path); err != nil || !bytes.Equal(got, vmlinux) {
			t.Errorf("%s: %v, or not the ELF", b.Path, err)
		}
	}
	for range 2 { // the reason, then the reason remembered
		b := bad.Boot(cache)
		if b.Direct || b.Path != bad.Path || !errors.Is(b.Fallback, ErrNoXZPayload) {
			t.Errorf("Boot(bad) = %+v, want the compressed kernel and ErrNoXZPayload", b)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "vmlinux-*")); len(m) != 2 {
		t.Errorf("cache holds %q, want one ELF and one .none", m)
	}
}

// The installed Debian kernel (always present under CI=true): its payload
// decodes, passes its CRC32 and is a PVH-bootable ELF. It goes through
// the default kernel cache (internal/cachedir), which make initramfs,
// erstvm and vmtest share, so the seconds of extraction are paid once per
// kernel.
func TestUncompressedInstalledKernel(t *testing.T) {
	k := installedKernel(t)
	b := k.Boot("")
	if !b.Direct {
		t.Fatalf("%s: %v", k.Path, b.Fallback)
	}
	vmlinux, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PVHEntry(vmlinux); err != nil {
		t.Errorf("%s: %v", b.Path, err)
	}
	fi, err := os.Stat(k.Path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(vmlinux)) < 4*fi.Size() {
		t.Errorf("%s: %d bytes of ELF from the %d of %s: too little", b.Path, len(vmlinux), fi.Size(), k.Path)
	}
}

// Boot with no cache directory extracts into the cache root's kernel
// directory ($ERST_CACHE/kernel), never next to the erst source, and
// keeps only the newest cachedir.KeepKernels ELFs there.
func TestKernelBootDefaultCache(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(cachedir.Env, filepath.Join(dir, "cache"))
	var paths []string
	for i := range cachedir.KeepKernels + 1 {
		vmlinux := append(pvhELF(t), codeLike(5000+i)...)
		k := Kernel{Path: filepath.Join(dir, fmt.Sprintf("vmlinuz-%d", i))}
		if err := os.WriteFile(k.Path, append([]byte("setup"), xzStream(t, vmlinux)...), 0o644); err != nil {
			t.Fatal(err)
		}
		b := k.Boot("")
		if !b.Direct || filepath.Dir(b.Path) != filepath.Join(dir, "cache", cachedir.Kernel) {
			t.Fatalf("Boot(\"\") = %+v, want the ELF in $%s/%s", b, cachedir.Env, cachedir.Kernel)
		}
		// Modification times a second apart: the order pruning sees.
		mt := time.Now().Add(time.Duration(i-10) * time.Second)
		if err := os.Chtimes(b.Path, mt, mt); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, b.Path)
	}
	for i, p := range paths {
		_, err := os.Stat(p)
		if gone := i == 0; gone != errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ELF %d of %d: stat %v; want only the oldest pruned", i, len(paths), err)
		}
	}
}
