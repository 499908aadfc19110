// Package vmtest is a harness that plays the OS against a real ERST
// device: it boots a QEMU guest with QEMU's acpi-erst device on a store
// file, runs `erst serve` in it, and gives the host the guest's PSHED
// persistence callbacks as a pshed.Persistence. A test writes error
// records into the device, pulls the plug (Kill: SIGKILL to QEMU) or
// powers off cleanly (Shutdown), boots again on the same store (Restart)
// and reads them back, many calls per boot:
//
//	g, err := vmtest.Start(ctx, vmtest.Options{Store: "nvram.img"}) // booted, erst serve answering
//	var p pshed.Persistence = g.PSHED()                             // calls the guest's callbacks
//	err = g.Shutdown(ctx) // clean power-off of the guest
//	err = g.Kill()        // SIGKILL QEMU: a power cut, no shutdown of any kind
//	err = g.Restart(ctx)  // after Shutdown or Kill: a new QEMU on the same store, reconnected
//	err = g.Close()       // whatever state it is in, nothing left running
//
// The zero [Options] boot what erstvm boots: q35 under TCG, the newest
// Debian kernel, the guest initramfs of package images (built on first
// use and cached, from the erst module found from the current directory
// or from where this package was compiled: a checkout, or Go's read-only
// module cache when a project requires erst). Start's context governs the
// boot only; the guest runs until Shutdown, Kill or Close. StartT is [Start]
// for a test: the test's context bounds the boot, the store defaults to a
// file in t.TempDir(), the guest is closed at the test's end (a failing
// Close fails the test) and a failed test's log holds the QEMU command
// line. Available says whether QEMU and a kernel are there, and how to
// install what is missing, for a project whose tests skip outside CI.
//
// A start does not boot every time: the guest boots once, is saved when
// it is up (internal/vm, in the cache, keyed by kernel, initramfs, QEMU,
// machine and store geometry), and Start and Restart
// resume it in a new QEMU, about 1 s against some 5 s for a boot under
// TCG. The store is not in the saved state, so the device reads the store
// as the file holds it, as after a reboot. Options.Boot boots instead.
//
// Options.Firmware chooses the firmware, as erstvm's -firmware: QEMU's
// default SeaBIOS, UEFI (OVMF, Debian's ovmf package; the guest then
// boots the compressed kernel, its EFI stub) or any image for QEMU's
// -bios. Reset is a warm reset of the same QEMU (QMP system_reset): the
// firmware runs again and the guest boots again, on the store as the
// device left it, and the harness reconnects.
//
// Every call through PSHED is bounded by Options.CallTimeout. A call that
// cannot reach the guest (QEMU died or was killed, the reply did not
// come) returns STATUS_UNSUCCESSFUL at once; Err returns the Go error
// behind the status of the last call through PSHED, by any goroutine: the
// guest driver's error, or the transport's, wrapping remote.ErrConnection
// and, when QEMU is gone, [ErrNotRunning]. The [Guest]'s own WriteErrorRecord,
// ReadErrorRecord and ClearErrorRecord return each call's error beside
// its status (the way for concurrent callers), and so does Client, the
// connection to the running QEMU, with a hook to act while a call is in
// flight. The wire protocol
// is package erst/pshed/remote's; the guest serves on a virtio-serial
// port ([PortName]). A resumed guest (the default) also mounts two 9p shares
// of private host directories, which Close removes, and its erst serve
// writes its messages to a file there; a guest booted with Options.Boot
// mounts no share and its erst serve writes to the serial console
// (Options.Console). Neither shares the host's working directory.
//
// A guest started with Options.LinuxERST is there to crash: its kernel's
// own ERST driver and pstore own the device (it runs no erst serve; PSHED
// and Client calls fail with [ErrLinuxERST]). InjectMCE raises a machine
// check through QEMU's monitor, Panic makes the kernel panic, and Wait
// returns once QEMU has exited, with a *[PanicError] ([ErrPanicked]) after a
// panic. The kernel's records are then read by a guest without LinuxERST
// on the same store.
//
// # Caches
//
// Everything the harness builds or saves lives under one directory,
// $ERST_CACHE when set, else os.UserCacheDir()/erst ($XDG_CACHE_HOME/erst
// or ~/.cache/erst), shared with erstvm and mkinitramfs; nothing is
// written into the erst source tree or module directory. In it, kernel/
// holds the uncompressed kernels (some 65 MB each, the newest 3 kept),
// initramfs/ the guest images (some 10 MB, the newest 3) and resume/ the
// saved guests (some 80 MB, the 8 most recently used; those of a kernel,
// initramfs or QEMU that changed are removed at the next save), with their
// .lock files. Entries are written under temporary names and renamed into
// place (what a killed writer left is removed a day later), and a process
// that needs an entry another is building waits for it (flock), so
// parallel tests and processes share them safely. To clear the cache,
// remove the directory (rm -rf ~/.cache/erst) while no guest runs; the
// next start builds what it needs again (about a minute for the initramfs,
// a boot for each saved guest).
//
// # VM tests
//
// Beside the harness are the VM tests, behind the vmtest build tag, so
// that `go test ./...` stays fast on a machine without QEMU:
//
//	go test -tags vmtest -count=1 ./vmtest/     # or: make vmtest
//
// TestHarness's subtests, Conformance, Persistence, MalformedInGuest,
// StoreLocked and KillInFlight, share one long-lived guest: the PSHED
// conformance suite from the host on QEMU's device; records byte for
// byte after Shutdown+Restart and Kill+Restart, and clears that survive
// both; malformed, oversized and unknown requests to the guest's server;
// the store file locked while QEMU runs it; a call in flight when QEMU is
// killed. TestExternalModule runs
// testdata/extmod, a module of its own that uses the harness as another
// project would: it requires erst at a test version served from a module
// proxy directory built from this checkout, in a fresh module cache and
// HOME, with erst's module directory on a read-only bind mount; and runs
// go run github.com/goerst/erst/cmd/erstvm@<that version> the same way.
//
// TestGuest builds the driver's test binaries once (go test -c) and runs,
// in guests through erstvm, the tests that touch the device: erst's
// behavioural tests and the PSHED conformance suite on QEMU's acpi-erst
// device, and linuxhw's guest tests on the registers, the error log range
// and the refusals (q35 with erst_disable; pc, where the BARs move; q35
// with the kernel's ERST driver active, where Open must refuse). Each
// leaves a pass marker the host checks, so a test that skipped fails.
//
// The VM tests run in parallel, as many guests at once as go test's
// -parallel (the number of cores).
//
// TestStoreAgainstSim and TestStoreFromSim run the same erst commands on
// the host's simulator and in a guest on QEMU's device, from the same
// backing file, and compare every exit status, output and record, and the
// backing files byte for byte; a second boot on the file the first left
// (another machine type, after a full power-off) reads every record back.
// TestLinuxPstore checks both ways against the kernel's own ERST driver:
// Linux's pstore shows a record erst wrote, and erst (in the guest and on
// the host) reads the records the kernel wrote at power-off, byte for byte
// what cper.NewPstoreRecord builds.
// TestCrash has the kernel record real crashes (Options.LinuxERST): a
// random fatal machine check (InjectMCE; the seed is logged, -crash.seed
// repeats it) and a sysrq panic (Panic), each ending QEMU (Wait reports
// the panic); a second guest reads the kernel's MCE record and panic logs
// through PSHED and checks them against what was injected.
// TestErstvmCrash does the same through erstvm -linux-erst -crash.
// TestFirmware runs the harness under OVMF: the PSHED conformance suite
// from the host, erst conform in the guest, and records written under
// each firmware read back under the other, byte for byte;
// TestStoreAgainstSim compares the device under OVMF with the simulator
// too. TestReset resets guests under SeaBIOS (resumed and booted) and
// OVMF: records written before a reset read back after it; a reset
// during a write, before the guest goes on and once the device has
// stored the record, leaves the store consistent (erst/store's Check;
// the record whole or absent, whole in the second case); and a stopped
// guest cannot be reset.
// TestPowerCuts runs erst torture in a guest and kills QEMU (SIGKILL) at
// 20 seeded random moments, each cut's QEMU resuming one guest saved
// booted and idle (internal/vm; the store is not in the saved state);
// after each cut erst verify reads the store on the host, and after the
// last a boot runs erst verify: every acknowledged record not since
// cleared must be intact, and none may read back damaged. TestConcurrentProcesses runs two torture processes at once
// on the live device in one guest, 1,000 operations, and verifies both.
// TestErstvm runs the erstvm command end to end (booting, and resuming a
// saved guest) and compares the live table with the corpus;
// TestErstvmRefusesHostileTable gives erst a table
// with registers in System RAM.
// BenchmarkHarnessRoundTrip times a PSHED call from the host through the
// shared guest against the same operation inside a guest (erst bench),
// and reports the harness's overhead (docs/performance.md).
//
// The tests look for QEMU (qemu-system-x86_64 on PATH) and the newest
// Debian kernel, as [Available] does; hugelgupf/vmtest's VMTEST_*
// variables reach no guest here (package internal/vm overrides them).
// Without QEMU or a kernel the tests skip, unless CI=true: then they fail,
// as they do when a guest run skips or a guest test did not pass.
package vmtest
