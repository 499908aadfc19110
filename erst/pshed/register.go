package pshed

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goerst/erst/internal/enum"
)

// Registration packet versions (ntddk.h WHEA_PLUGIN_REGISTRATION_PACKET_*).
const (
	PluginRegistrationPacketV1      uint32 = 0x00010000
	PluginRegistrationPacketV2      uint32 = 0x00020000
	PluginRegistrationPacketVersion        = PluginRegistrationPacketV2
)

// Sizes of the C registration packets on x64, the value a plug-in puts in
// Length: Length, Version, Context, FunctionalAreaMask, Reserved (24
// bytes), the 15 pointers of WHEA_PSHED_PLUGIN_CALLBACKS (120 bytes), and
// for V2 PluginHandle (8 bytes). 32-bit Windows uses other sizes; this
// package models x64 only.
const (
	PluginRegistrationPacketV1Size uint32 = 0x90
	PluginRegistrationPacketV2Size uint32 = 0x98
)

// FunctionalArea is a bit set of the PSHED functional areas a plug-in
// takes part in (the FunctionalAreaMask of
// WHEA_PSHED_PLUGIN_REGISTRATION_PACKET).
type FunctionalArea uint32

// Functional areas (ntddk.h PshedFA*).
const (
	FADiscovery              FunctionalArea = 0x01 // PshedFADiscovery
	FAErrorSourceControl     FunctionalArea = 0x02 // PshedFAErrorSourceControl
	FAErrorRecordPersistence FunctionalArea = 0x04 // PshedFAErrorRecordPersistence
	FAErrorInfoRetrieval     FunctionalArea = 0x08 // PshedFAErrorInfoRetrieval
	FAErrorRecovery          FunctionalArea = 0x10 // PshedFAErrorRecovery
	FAErrorInjection         FunctionalArea = 0x20 // PshedFAErrorInjection

	faAll = FADiscovery | FAErrorSourceControl | FAErrorRecordPersistence |
		FAErrorInfoRetrieval | FAErrorRecovery | FAErrorInjection
)

var faNames = []struct {
	bit  FunctionalArea
	name string
}{
	{FADiscovery, "PshedFADiscovery"},
	{FAErrorSourceControl, "PshedFAErrorSourceControl"},
	{FAErrorRecordPersistence, "PshedFAErrorRecordPersistence"},
	{FAErrorInfoRetrieval, "PshedFAErrorInfoRetrieval"},
	{FAErrorRecovery, "PshedFAErrorRecovery"},
	{FAErrorInjection, "PshedFAErrorInjection"},
}

// String returns the set bits joined by "|", e.g.
// "PshedFAErrorRecordPersistence|FunctionalArea(0x40)"; 0 is "0".
func (m FunctionalArea) String() string {
	if m == 0 {
		return "0"
	}
	var parts []string
	for _, n := range faNames {
		if m&n.bit != 0 {
			parts = append(parts, n.name)
		}
	}
	if rest := m &^ faAll; rest != 0 {
		parts = append(parts, enum.Unknown("FunctionalArea", rest))
	}
	return strings.Join(parts, "|")
}

// The persistence members of WHEA_PSHED_PLUGIN_CALLBACKS. The first
// argument is the packet's Context (the C PluginContext); the others are
// as in the [Persistence] methods.
type (
	WriteErrorRecordFunc func(pluginContext any, flags uint32, record []byte) NTSTATUS
	ReadErrorRecordFunc  func(pluginContext any, flags uint32, id uint64, buf []byte) (next uint64, length uint32, status NTSTATUS)
	ClearErrorRecordFunc func(pluginContext any, flags uint32, id uint64) NTSTATUS
)

// PluginCallbacks is WHEA_PSHED_PLUGIN_CALLBACKS reduced to the
// error-record-persistence members. The others (GetAllErrorSources ...
// InjectError) belong to functional areas this package does not model.
// A member a plug-in does not implement is nil (NULL).
type PluginCallbacks struct {
	WriteErrorRecord WriteErrorRecordFunc
	ReadErrorRecord  ReadErrorRecordFunc
	ClearErrorRecord ClearErrorRecordFunc
}

// PluginRegistrationPacket is WHEA_PSHED_PLUGIN_REGISTRATION_PACKET_V2
// (V1 is the same without PluginHandle).
type PluginRegistrationPacket struct {
	Length             uint32 // PluginRegistrationPacketV2Size (or V1Size for a V1 packet)
	Version            uint32 // PluginRegistrationPacketVersion
	Context            any    // passed as pluginContext to every callback
	FunctionalAreaMask FunctionalArea
	Reserved           uint32 // must be 0
	Callbacks          PluginCallbacks
	PluginHandle       *Plugin // set by Register for a V2 packet
}

// NewPacket returns the V2 registration packet a plug-in implementing
// p fills in: persistence functional area, the three callbacks
// forwarding to p, p as Context.
func NewPacket(p Persistence) *PluginRegistrationPacket {
	return &PluginRegistrationPacket{
		Length:             PluginRegistrationPacketV2Size,
		Version:            PluginRegistrationPacketVersion,
		Context:            p,
		FunctionalAreaMask: FAErrorRecordPersistence,
		Callbacks: PluginCallbacks{
			WriteErrorRecord: func(ctx any, flags uint32, record []byte) NTSTATUS {
				return ctx.(Persistence).WriteErrorRecord(flags, record)
			},
			ReadErrorRecord: func(ctx any, flags uint32, id uint64, buf []byte) (uint64, uint32, NTSTATUS) {
				return ctx.(Persistence).ReadErrorRecord(flags, id, buf)
			},
			ClearErrorRecord: func(ctx any, flags uint32, id uint64) NTSTATUS {
				return ctx.(Persistence).ClearErrorRecord(flags, id)
			},
		},
	}
}

// Plugin is a registered plug-in as the PSHED sees it: it calls the
// packet's callbacks with the packet's Context. It implements
// [Persistence].
type Plugin struct {
	context   any
	callbacks PluginCallbacks
}

// WriteErrorRecord calls the plug-in's WriteErrorRecord callback.
func (p *Plugin) WriteErrorRecord(flags uint32, record []byte) NTSTATUS {
	return p.callbacks.WriteErrorRecord(p.context, flags, record)
}

// ReadErrorRecord calls the plug-in's ReadErrorRecord callback.
func (p *Plugin) ReadErrorRecord(flags uint32, id uint64, buf []byte) (uint64, uint32, NTSTATUS) {
	return p.callbacks.ReadErrorRecord(p.context, flags, id, buf)
}

// ClearErrorRecord calls the plug-in's ClearErrorRecord callback.
func (p *Plugin) ClearErrorRecord(flags uint32, id uint64) NTSTATUS {
	return p.callbacks.ClearErrorRecord(p.context, flags, id)
}

// Register validates a registration packet the way PshedRegisterPlugin
// does for the persistence area, and returns the registered plug-in.
// PshedRegisterPlugin returns STATUS_SUCCESS or STATUS_INVALID_PARAMETER
// ("the data in the registration packet is invalid"); Register returns
// nil or an error that says which rule failed and wraps
// [ErrInvalidParameter], so FromError(err) is that NTSTATUS.
//
// Windows does not publish its exact checks. These follow the
// documentation of the packet, the callbacks and PshedRegisterPlugin:
//   - Version is V1 or V2 and Length is that version's x64 size;
//   - Reserved is 0 and the mask has no undefined bits;
//   - a V2 packet does not claim PshedFADiscovery (V2 plug-ins can be
//     unregistered, so they may not take part in discovery);
//   - with PshedFAErrorRecordPersistence all three persistence callbacks
//     are set; without it all three are nil ("should be set to NULL");
//   - the packet takes part in at least one functional area.
//
// On success a V2 packet's PluginHandle is set to the plug-in.
func Register(pkt *PluginRegistrationPacket) (*Plugin, error) {
	if err := validate(pkt); err != nil {
		return nil, fmt.Errorf("register PSHED plug-in: %w: %s", ErrInvalidParameter, err)
	}
	pl := &Plugin{context: pkt.Context, callbacks: pkt.Callbacks}
	if pkt.Version == PluginRegistrationPacketV2 {
		pkt.PluginHandle = pl
	}
	return pl, nil
}

func validate(pkt *PluginRegistrationPacket) error {
	if pkt == nil {
		return errors.New("nil registration packet")
	}
	switch pkt.Version {
	case PluginRegistrationPacketV1:
		if pkt.Length != PluginRegistrationPacketV1Size {
			return fmt.Errorf("packet V1 with Length %#x, want %#x", pkt.Length, PluginRegistrationPacketV1Size)
		}
	case PluginRegistrationPacketV2:
		if pkt.Length != PluginRegistrationPacketV2Size {
			return fmt.Errorf("packet V2 with Length %#x, want %#x", pkt.Length, PluginRegistrationPacketV2Size)
		}
		if pkt.FunctionalAreaMask&FADiscovery != 0 {
			return errors.New("packet V2 claims PshedFADiscovery")
		}
	default:
		return fmt.Errorf("unknown packet version %#x", pkt.Version)
	}
	if pkt.Reserved != 0 {
		return fmt.Errorf("packet Reserved is %#x, want 0", pkt.Reserved)
	}
	if pkt.FunctionalAreaMask == 0 {
		return errors.New("functional area mask is 0")
	}
	if rest := pkt.FunctionalAreaMask &^ faAll; rest != 0 {
		return fmt.Errorf("functional area mask has undefined bits %#x", uint32(rest))
	}
	cb := pkt.Callbacks
	set := 0
	for _, ok := range []bool{cb.WriteErrorRecord != nil, cb.ReadErrorRecord != nil, cb.ClearErrorRecord != nil} {
		if ok {
			set++
		}
	}
	if pkt.FunctionalAreaMask&FAErrorRecordPersistence != 0 {
		if set != 3 {
			return fmt.Errorf("mask has PshedFAErrorRecordPersistence but only %d of the 3 persistence callbacks are set", set)
		}
	} else if set != 0 {
		return errors.New("persistence callbacks set without PshedFAErrorRecordPersistence")
	}
	return nil
}
