package remote

import (
	"fmt"

	"github.com/goerst/erst/erst/pshed"
)

// Device is the ERST driver as a [DeviceBackend] needs it; *erst.Device
// satisfies it, on the live device or the simulator. Its geometry is
// what [pshed.Adapter.Geometry] finds (the erst driver's MaxRecordSize and
// Capacity).
type Device interface {
	pshed.Store
	Count() (uint64, error)
}

// DeviceBackend serves a [Device] the way the PSHED calls a plug-in: through
// a registered [pshed.Plugin] over a [pshed.Adapter], so a client sees the
// documented statuses. It remembers the driver's error behind each
// failure status (LastError).
type DeviceBackend struct {
	dev    Device
	rec    *recordingStore
	plugin *pshed.Plugin
	mask   pshed.FunctionalArea
	geo    pshed.Geometry
}

// NewDeviceBackend registers a plug-in over d ([pshed.NewPacket],
// [pshed.Register]).
func NewDeviceBackend(d Device) (*DeviceBackend, error) {
	rec := &recordingStore{Store: d}
	pkt := pshed.NewPacket(pshed.NewAdapter(rec))
	pl, err := pshed.Register(pkt)
	if err != nil {
		return nil, err
	}
	// The recording wrapper hides the driver's geometry methods; ask an
	// Adapter on the driver itself.
	geo := pshed.NewAdapter(d).Geometry()
	return &DeviceBackend{dev: d, rec: rec, plugin: pl, mask: pkt.FunctionalAreaMask, geo: geo}, nil
}

// WriteErrorRecord calls the plug-in's callback.
func (b *DeviceBackend) WriteErrorRecord(flags uint32, record []byte) pshed.NTSTATUS {
	b.rec.err = nil
	return b.plugin.WriteErrorRecord(flags, record)
}

// ReadErrorRecord calls the plug-in's callback.
func (b *DeviceBackend) ReadErrorRecord(flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
	b.rec.err = nil
	return b.plugin.ReadErrorRecord(flags, id, buf)
}

// ClearErrorRecord calls the plug-in's callback.
func (b *DeviceBackend) ClearErrorRecord(flags uint32, id uint64) pshed.NTSTATUS {
	b.rec.err = nil
	return b.plugin.ClearErrorRecord(flags, id)
}

// LastError is the driver's first error in the last callback.
func (b *DeviceBackend) LastError() error { return b.rec.err }

// IDs returns the driver's record identifiers.
func (b *DeviceBackend) IDs() ([]uint64, error) { return b.dev.IDs() }

// Info reports the device's geometry ([pshed.Adapter.Geometry]: the longest
// record, and the capacity when the device can tell), the record count
// and the packet's mask.
func (b *DeviceBackend) Info() (Info, error) {
	n, err := b.dev.Count()
	if err != nil {
		return Info{}, fmt.Errorf("record count: %w", err)
	}
	return Info{
		RangeLength: uint64(b.geo.RangeLength), Capacity: uint64(b.geo.Capacity), CapacityKnown: b.geo.CapacityKnown, RecordCount: n,
		FunctionalAreaMask: b.mask, MaxPayload: MaxPayload,
	}, nil
}

// recordingStore keeps the first error of a callback's store calls.
type recordingStore struct {
	pshed.Store
	err error
}

func (s *recordingStore) keep(err error) error {
	if err != nil && s.err == nil {
		s.err = err
	}
	return err
}

func (s *recordingStore) Write(record []byte) error { return s.keep(s.Store.Write(record)) }
func (s *recordingStore) Read(id uint64) ([]byte, error) {
	b, err := s.Store.Read(id)
	return b, s.keep(err)
}
func (s *recordingStore) Clear(id uint64) error { return s.keep(s.Store.Clear(id)) }
func (s *recordingStore) IDs() ([]uint64, error) {
	ids, err := s.Store.IDs()
	return ids, s.keep(err)
}
func (s *recordingStore) DummyWrite() error { return s.keep(s.Store.DummyWrite()) }
