package cper_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/goerst/erst/erst/cper"
)

// DecodeFile keeps the record, its JSON and findings, or the error; its
// JSON leaves out what is empty; Problems is the error or the findings;
// DecodeError counts both kinds of bad input.
func TestDecodeFile(t *testing.T) {
	rec := inputRecord(t)
	good := cper.DecodeFile("good", rec)
	if good.Err != nil || good.Rec.RecordID != 0x77 || !bytes.Equal(good.Raw, rec) || good.Record == nil || good.Problems() != nil {
		t.Fatalf("good: %+v", good)
	}
	trailing := cper.DecodeFile("trailing", append(bytes.Clone(rec), 0))
	if trailing.Err != nil || len(trailing.Findings) != 1 || len(trailing.Problems()) != 1 {
		t.Errorf("trailing: findings %q, err %v; want one finding", trailing.Findings, trailing.Err)
	}
	bad := cper.DecodeFile("bad", []byte("no record"))
	if bad.Err == nil || bad.Record != nil || bad.Error != bad.Err.Error() || len(bad.Problems()) != 1 || bad.Problems()[0] != bad.Error {
		t.Errorf("bad: %+v", bad)
	}
	b, err := json.Marshal(bad)
	if want := `{"file":"bad","error":` + jsonString(bad.Error) + `}`; err != nil || string(b) != want {
		t.Errorf("JSON of bad = %s, %v; want %s", b, err, want)
	}
	if b, _ := json.Marshal(good); !strings.HasPrefix(string(b), `{"file":"good","record":{`) || strings.Contains(string(b), `"findings"`) {
		t.Errorf("JSON of good = %s", b)
	}

	for _, tc := range []struct {
		ds   []cper.Decoded
		want string
	}{
		{[]cper.Decoded{good, good}, ""},
		{[]cper.Decoded{good, bad}, "1 of 2 inputs are not CPER records"},
		{[]cper.Decoded{trailing, good, good}, "1 of 3 records have findings"},
		{[]cper.Decoded{bad, trailing, bad}, "2 of 3 inputs are not CPER records, 1 have findings"},
	} {
		err := cper.DecodeError(tc.ds)
		if (err == nil) != (tc.want == "") || err != nil && err.Error() != tc.want {
			t.Errorf("DecodeError = %v, want %q", err, tc.want)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// zeros reads n zero bytes.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), z.n)
	clear(p[:k])
	z.n -= k
	return k, nil
}

// ReadInput takes up to MaxInput bytes and refuses one more; a read error
// is returned as it is.
func TestReadInput(t *testing.T) {
	if b, err := cper.ReadInput(&zeros{cper.MaxInput}); err != nil || len(b) != cper.MaxInput {
		t.Errorf("MaxInput bytes: %d, %v", len(b), err)
	}
	if _, err := cper.ReadInput(&zeros{cper.MaxInput + 1}); !errors.Is(err, cper.ErrInputTooLarge) {
		t.Errorf("MaxInput+1 bytes: %v, want ErrInputTooLarge", err)
	}
	if _, err := cper.ReadInput(iotest.ErrReader(io.ErrUnexpectedEOF)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("failing reader: %v", err)
	}
}

// Decoded.WriteText is the record's text, after "FILE:" when named, and
// nothing for an input that is not a record.
func TestDecodedWriteText(t *testing.T) {
	d := cper.DecodeFile("r.cper", inputRecord(t))
	var want, got bytes.Buffer
	cper.WriteText(&want, d.Rec)
	if err := d.WriteText(&got, false); err != nil || got.String() != want.String() {
		t.Errorf("WriteText(unnamed) = %q, %v; want %q", got.String(), err, want.String())
	}
	got.Reset()
	if err := d.WriteText(&got, true); err != nil || got.String() != "r.cper:\n"+want.String() {
		t.Errorf("WriteText(named) = %q, %v", got.String(), err)
	}
	got.Reset()
	if err := cper.DecodeFile("x", []byte("junk")).WriteText(&got, true); err != nil || got.Len() != 0 {
		t.Errorf("WriteText(not a record) = %q, %v; want nothing", got.String(), err)
	}
}
