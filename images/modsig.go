package images

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// moduleSigMarker ends a module that sign-file signed: the PKCS#7
// signature, then struct module_signature (12 bytes, the last 4 the
// signature's big-endian length), then this marker (the kernel's
// include/linux/module_signature.h).
const moduleSigMarker = "~Module signature appended~\n"

// ErrBadModuleSignature: a module ends in the signature marker, but the
// length before it does not fit the file.
var ErrBadModuleSignature = errors.New("malformed module signature")

// StripSignature returns the kernel module ko without its appended
// signature, or ko itself when it has none.
func StripSignature(ko []byte) ([]byte, error) {
	const infoLen = 12
	if !bytes.HasSuffix(ko, []byte(moduleSigMarker)) {
		return ko, nil
	}
	end := len(ko) - len(moduleSigMarker)
	if end < infoLen {
		return nil, ErrBadModuleSignature
	}
	sigLen := uint64(binary.BigEndian.Uint32(ko[end-4 : end]))
	if sigLen > uint64(end-infoLen) {
		return nil, ErrBadModuleSignature
	}
	return ko[:uint64(end-infoLen)-sigLen], nil
}

// EnforcesSignatures reports whether k refuses modules without a valid
// signature (CONFIG_MODULE_SIG_FORCE in /boot/config-<version>); when the
// config cannot be read it says yes, the safe answer.
func (k Kernel) EnforcesSignatures() bool {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(k.Path), "config-"+k.Version))
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "CONFIG_MODULE_SIG_FORCE=y" {
			return true
		}
	}
	return false
}

// StageModules copies mods into dir and returns their specs for
// uimage.WithFiles. Their signatures are stripped unless k enforces them:
// under TCG, checking the eleven signatures (a SHA-256 of each module and
// an RSA verification) is about 0.25 s of every boot, and the modules'
// code is Debian's, byte for byte, either way. Debian's kernel loads an
// unsigned module and notes it once ("module verification failed ...
// tainting kernel").
func (k Kernel) StageModules(mods []ModuleFile, dir string) ([]string, error) {
	strip := !k.EnforcesSignatures()
	if strip {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	specs := make([]string, len(mods))
	for i, m := range mods {
		if !strip {
			specs[i] = m.Spec()
			continue
		}
		b, err := os.ReadFile(m.Src)
		if err != nil {
			return nil, err
		}
		if b, err = StripSignature(b); err != nil {
			return nil, fmt.Errorf("module %s: %w", m.Src, err)
		}
		staged := filepath.Join(dir, filepath.Base(m.Dst))
		if err := os.WriteFile(staged, b, 0o644); err != nil {
			return nil, err
		}
		specs[i] = ModuleFile{Name: m.Name, Src: staged, Dst: m.Dst}.Spec()
	}
	return specs, nil
}
