package textout_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goerst/erst/internal/textout"
)

// failAfter accepts n writes, then fails every one.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

var errFull = errors.New("full")

func (f *failAfter) Write(b []byte) (int, error) {
	if f.n == 0 {
		return 0, errFull
	}
	f.n--
	return f.buf.Write(b)
}

func TestPrinterKeepsFirstError(t *testing.T) {
	w := &failAfter{n: 1}
	p := textout.New(w)
	p.Printf("a%d\n", 1)
	p.Printf("b\n")
	w.n = 5 // a write after the failure must not happen
	p.Printf("c\n")
	if w.buf.String() != "a1\n" || !errors.Is(p.Err(), errFull) {
		t.Errorf("wrote %q, Err %v; want %q and the first error", w.buf.String(), p.Err(), "a1\n")
	}
	ok := textout.New(&bytes.Buffer{})
	if ok.Printf("x"); ok.Err() != nil {
		t.Errorf("Err = %v after a good write", ok.Err())
	}
}

func TestOneLine(t *testing.T) {
	if got := textout.OneLine(" a\nb\n"); got != "a; b" {
		t.Errorf("OneLine = %q, want %q", got, "a; b")
	}
}
