package torture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/goerst/erst/erst"
)

// ErrAcks marks a torture output that cannot be read as one.
var ErrAcks = errors.New("not torture output")

// gaps returns the ids of the counters absent between the lowest and the
// highest counter of the seed in r.
func (g *Gen) gaps(r *Report) []uint64 {
	var ns []uint32
	for _, id := range r.Intact {
		n, _ := g.Index(id)
		ns = append(ns, n)
	}
	for _, f := range r.Faults {
		n, _ := g.Index(f.ID)
		ns = append(ns, n)
	}
	if len(ns) == 0 {
		return nil
	}
	slices.Sort(ns)
	var missing []uint64
	for i := 1; i < len(ns); i++ {
		for n := ns[i-1] + 1; n < ns[i]; n++ {
			missing = append(missing, g.ID(n))
		}
	}
	return missing
}

// VerifyAcked is Verify that knows which records must be there: acked,
// the records acknowledged and not cleared since ([ReadAcks] reads them
// from torture's output). Missing lists those absent from d; a record of
// the seed that is in d without being in acked is checked like any other.
func (g *Gen) VerifyAcked(d Device, acked []uint64) (*Report, error) {
	for _, id := range acked {
		if _, ok := g.Index(id); !ok {
			return nil, fmt.Errorf("verify: acknowledged id %#x is not a torture record of seed %#x: %w", id, g.seed, ErrAcks)
		}
	}
	r, err := g.Verify(d)
	if err != nil {
		return nil, err
	}
	found := map[uint64]bool{}
	for _, id := range r.Intact {
		found[id] = true
	}
	for _, f := range r.Faults {
		found[f.ID] = true
	}
	r.Missing, r.Acked = nil, true
	for _, id := range acked {
		if !found[id] {
			r.Missing = append(r.Missing, id)
		}
	}
	slices.Sort(r.Missing)
	return r, nil
}

// ReadAcks reads the output of torture runs (erst torture prints, through
// [Log], "ack ID" for each acknowledged write and "clear ID" before
// clearing one of its own records; its summary lines, [Stats.WriteText],
// start with "torture:") and returns the ids acknowledged and not cleared
// since, in the order acknowledged. Several runs' outputs may follow one
// another. Any other line is an error naming it.
func ReadAcks(r io.Reader) ([]uint64, error) {
	order := map[uint64]int{} // id -> when it was acknowledged
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "torture:") {
			continue
		}
		verb, arg, _ := strings.Cut(text, " ")
		id, err := erst.ParseID(strings.TrimSpace(arg))
		if err != nil || (verb != "ack" && verb != "clear") {
			return nil, fmt.Errorf("line %d: %.40q: want \"ack ID\" or \"clear ID\": %w", line, text, ErrAcks)
		}
		delete(order, id)
		if verb == "ack" {
			order[id] = line
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	ids := make([]uint64, 0, len(order))
	for id := range order {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uint64) int { return order[a] - order[b] })
	return ids, nil
}
