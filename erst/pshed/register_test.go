package pshed_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/goerst/erst/erst/pshed"
)

// callLog is a Persistence that records the calls it gets.
type callLog struct {
	calls []string
}

func (c *callLog) WriteErrorRecord(flags uint32, record []byte) pshed.NTSTATUS {
	c.calls = append(c.calls, "write")
	return pshed.StatusDiskFull
}

func (c *callLog) ReadErrorRecord(flags uint32, id uint64, buf []byte) (uint64, uint32, pshed.NTSTATUS) {
	c.calls = append(c.calls, "read")
	return id + 1, 77, pshed.StatusBufferTooSmall
}

func (c *callLog) ClearErrorRecord(flags uint32, id uint64) pshed.NTSTATUS {
	c.calls = append(c.calls, "clear")
	return pshed.StatusUnsuccessful
}

func TestNewPacketRegister(t *testing.T) {
	impl := &callLog{}
	pkt := pshed.NewPacket(impl)
	if pkt.Version != pshed.PluginRegistrationPacketV2 || pkt.Length != pshed.PluginRegistrationPacketV2Size {
		t.Errorf("NewPacket: Version %#x Length %#x, want V2 %#x / %#x",
			pkt.Version, pkt.Length, pshed.PluginRegistrationPacketV2, pshed.PluginRegistrationPacketV2Size)
	}
	if pkt.FunctionalAreaMask != pshed.FAErrorRecordPersistence {
		t.Errorf("NewPacket: mask %v, want %v", pkt.FunctionalAreaMask, pshed.FAErrorRecordPersistence)
	}
	pl, err := pshed.Register(pkt)
	if err != nil {
		t.Fatalf("Register = %v, want success", err)
	}
	if pkt.PluginHandle != pl {
		t.Errorf("PluginHandle = %p, want the registered plug-in %p", pkt.PluginHandle, pl)
	}
	// The plug-in forwards to the callbacks, which get the context.
	if st := pl.WriteErrorRecord(0, nil); st != pshed.StatusDiskFull {
		t.Errorf("WriteErrorRecord = %v, want the callback's %v", st, pshed.StatusDiskFull)
	}
	if next, n, st := pl.ReadErrorRecord(0, 5, nil); next != 6 || n != 77 || st != pshed.StatusBufferTooSmall {
		t.Errorf("ReadErrorRecord = %d, %d, %v; want the callback's 6, 77, %v", next, n, st, pshed.StatusBufferTooSmall)
	}
	if st := pl.ClearErrorRecord(0, 5); st != pshed.StatusUnsuccessful {
		t.Errorf("ClearErrorRecord = %v, want the callback's %v", st, pshed.StatusUnsuccessful)
	}
	if want := []string{"write", "read", "clear"}; !slices.Equal(impl.calls, want) {
		t.Errorf("calls = %v, want %v", impl.calls, want)
	}
}

func TestRegisterPassesContext(t *testing.T) {
	type ctxKey struct{ n int }
	want := &ctxKey{42}
	var got []any
	pkt := &pshed.PluginRegistrationPacket{
		Length:             pshed.PluginRegistrationPacketV2Size,
		Version:            pshed.PluginRegistrationPacketVersion,
		Context:            want,
		FunctionalAreaMask: pshed.FAErrorRecordPersistence,
		Callbacks: pshed.PluginCallbacks{
			WriteErrorRecord: func(ctx any, _ uint32, _ []byte) pshed.NTSTATUS {
				got = append(got, ctx)
				return pshed.StatusSuccess
			},
			ReadErrorRecord: func(ctx any, _ uint32, id uint64, _ []byte) (uint64, uint32, pshed.NTSTATUS) {
				got = append(got, ctx)
				return id, 0, pshed.StatusObjectNotFound
			},
			ClearErrorRecord: func(ctx any, _ uint32, _ uint64) pshed.NTSTATUS {
				got = append(got, ctx)
				return pshed.StatusSuccess
			},
		},
	}
	pl, err := pshed.Register(pkt)
	if err != nil {
		t.Fatalf("Register = %v", err)
	}
	pl.WriteErrorRecord(0, nil)
	pl.ReadErrorRecord(0, 1, nil)
	pl.ClearErrorRecord(0, 1)
	if len(got) != 3 {
		t.Fatalf("%d callbacks ran, want 3", len(got))
	}
	for i, c := range got {
		if c != want {
			t.Errorf("callback %d got context %v, want the packet's %v", i, c, want)
		}
	}
}

func TestRegisterV1(t *testing.T) {
	pkt := pshed.NewPacket(&callLog{})
	pkt.Version = pshed.PluginRegistrationPacketV1
	pkt.Length = pshed.PluginRegistrationPacketV1Size
	pkt.FunctionalAreaMask |= pshed.FADiscovery // allowed for V1
	if _, err := pshed.Register(pkt); err != nil {
		t.Fatalf("Register(V1) = %v, want success", err)
	}
	if pkt.PluginHandle != nil {
		t.Errorf("V1 packet got a PluginHandle")
	}
}

func TestRegisterInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(p *pshed.PluginRegistrationPacket)
	}{
		{"UnknownVersion", func(p *pshed.PluginRegistrationPacket) { p.Version = 0x00030000 }},
		{"V2LengthWrong", func(p *pshed.PluginRegistrationPacket) { p.Length = 0x40 }},
		{"V2WithV1Length", func(p *pshed.PluginRegistrationPacket) { p.Length = pshed.PluginRegistrationPacketV1Size }},
		{"V1WithV2Length", func(p *pshed.PluginRegistrationPacket) { p.Version = pshed.PluginRegistrationPacketV1 }},
		{"Reserved", func(p *pshed.PluginRegistrationPacket) { p.Reserved = 1 }},
		{"EmptyMask", func(p *pshed.PluginRegistrationPacket) {
			p.FunctionalAreaMask = 0
			p.Callbacks = pshed.PluginCallbacks{}
		}},
		{"UndefinedArea", func(p *pshed.PluginRegistrationPacket) { p.FunctionalAreaMask |= 0x40 }},
		{"V2Discovery", func(p *pshed.PluginRegistrationPacket) { p.FunctionalAreaMask |= pshed.FADiscovery }},
		{"NoWrite", func(p *pshed.PluginRegistrationPacket) { p.Callbacks.WriteErrorRecord = nil }},
		{"NoRead", func(p *pshed.PluginRegistrationPacket) { p.Callbacks.ReadErrorRecord = nil }},
		{"NoClear", func(p *pshed.PluginRegistrationPacket) { p.Callbacks.ClearErrorRecord = nil }},
		{"CallbacksWithoutArea", func(p *pshed.PluginRegistrationPacket) { p.FunctionalAreaMask = pshed.FAErrorInjection }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkt := pshed.NewPacket(&callLog{})
			tc.modify(pkt)
			pl, err := pshed.Register(pkt)
			if !errors.Is(err, pshed.ErrInvalidParameter) {
				t.Fatalf("Register = %v, want an error wrapping ErrInvalidParameter", err)
			}
			if st := pshed.FromError(err); st != pshed.StatusInvalidParameter {
				t.Errorf("FromError(Register error) = %v, want %v", st, pshed.StatusInvalidParameter)
			}
			if pl != nil || pkt.PluginHandle != nil {
				t.Errorf("failed Register returned a plug-in or set PluginHandle")
			}
		})
	}
	if _, err := pshed.Register(nil); !errors.Is(err, pshed.ErrInvalidParameter) {
		t.Errorf("Register(nil) = %v, want ErrInvalidParameter", err)
	}
}

func TestFunctionalAreaString(t *testing.T) {
	for _, tc := range []struct {
		m    pshed.FunctionalArea
		want string
	}{
		{0, "0"},
		{pshed.FAErrorRecordPersistence, "PshedFAErrorRecordPersistence"},
		{0x3F, "PshedFADiscovery|PshedFAErrorSourceControl|PshedFAErrorRecordPersistence|PshedFAErrorInfoRetrieval|PshedFAErrorRecovery|PshedFAErrorInjection"},
		{0x45, "PshedFADiscovery|PshedFAErrorRecordPersistence|FunctionalArea(0x40)"},
		{0x100, "FunctionalArea(0x100)"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("FunctionalArea(%#x).String() = %q, want %q", uint32(tc.m), got, tc.want)
		}
	}
}

// The constants as Win32 metadata (windows-docs-rs) gives them.
func TestRegistrationConstants(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want uint32
	}{
		{"WHEA_WRITE_FLAG_DUMMY", pshed.WriteFlagDummy, 1},
		{"PshedFADiscovery", uint32(pshed.FADiscovery), 1},
		{"PshedFAErrorSourceControl", uint32(pshed.FAErrorSourceControl), 2},
		{"PshedFAErrorRecordPersistence", uint32(pshed.FAErrorRecordPersistence), 4},
		{"PshedFAErrorInfoRetrieval", uint32(pshed.FAErrorInfoRetrieval), 8},
		{"PshedFAErrorRecovery", uint32(pshed.FAErrorRecovery), 16},
		{"PshedFAErrorInjection", uint32(pshed.FAErrorInjection), 32},
		{"WHEA_PLUGIN_REGISTRATION_PACKET_V1", pshed.PluginRegistrationPacketV1, 65536},
		{"WHEA_PLUGIN_REGISTRATION_PACKET_V2", pshed.PluginRegistrationPacketV2, 131072},
		{"WHEA_PLUGIN_REGISTRATION_PACKET_VERSION", pshed.PluginRegistrationPacketVersion, 131072},
		{"sizeof(WHEA_PSHED_PLUGIN_REGISTRATION_PACKET_V2) on x64", pshed.PluginRegistrationPacketV2Size, 0x98},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}
