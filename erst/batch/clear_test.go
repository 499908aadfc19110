package batch

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// clearer fails to clear the ids in fail.
type clearer struct {
	fail    map[uint64]error
	cleared []uint64
}

func (c *clearer) Clear(id uint64) error {
	if err := c.fail[id]; err != nil {
		return err
	}
	c.cleared = append(c.cleared, id)
	return nil
}

// Clear goes on past a record it cannot clear and reports each failure.
func TestClear(t *testing.T) {
	e2, e4 := errors.New("record 2 not found"), errors.New("device error")
	c := &clearer{fail: map[uint64]error{2: e2, 4: e4}}
	var done []uint64
	err := Clear(c, []uint64{1, 2, 3, 4, 5}, func(id uint64) { done = append(done, id) })
	if !errors.Is(err, e2) || !errors.Is(err, e4) || err.Error() != "record 2 not found\ndevice error" {
		t.Errorf("Clear = %q, want both failures", err)
	}
	if want := []uint64{1, 3, 5}; !slices.Equal(c.cleared, want) || !slices.Equal(done, want) {
		t.Errorf("cleared %v, done %v; want %v", c.cleared, done, want)
	}
	if err := Clear(c, nil, func(uint64) { t.Error("done called for no id") }); err != nil {
		t.Errorf("Clear of no ids = %v", err)
	}
}

// Written is erst write -json's entry: "id" in 0x-hex, then "length".
func TestWrittenJSON(t *testing.T) {
	b, err := json.Marshal(WrittenOf(Record{Name: "a", ID: 0x42, Data: make([]byte, 300)}))
	if want := `{"id":"0x42","length":300}`; err != nil || string(b) != want {
		t.Errorf("WrittenOf as JSON = %s, %v; want %s", b, err, want)
	}
}
