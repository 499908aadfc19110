// Package vmtest holds the tests that boot QEMU guests with the acpi-erst
// device. They are behind the vmtest build tag, so that `go test ./...`
// stays fast on a machine without QEMU:
//
//	go test -tags vmtest -count=1 ./vmtest/     # or: make vmtest
//
// TestGuest runs the driver's package tests inside guests with
// github.com/hugelgupf/vmtest, unchanged: erst's behavioural tests and the
// PSHED conformance suite run on the simulator and on QEMU's real
// acpi-erst device, and linuxhw's guest tests check the registers, the
// error log range and the refusals (q35 and pc with erst_disable; q35 with
// the kernel's ERST driver active, where Open must refuse).
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
// TestErstvm runs the erstvm command end to end and compares the live
// table with the corpus; TestErstvmRefusesHostileTable gives erst a table
// with registers in System RAM.
//
// The tests find QEMU and the kernel themselves and set vmtest's
// VMTEST_QEMU, VMTEST_KERNEL, VMTEST_ARCH and VMTEST_KERNEL_APPEND; a
// VMTEST_QEMU already in the environment (e.g. with -enable-kvm) is used as
// the base command. Without QEMU or a kernel they skip, unless CI=true:
// then they fail, as they do when vmtest skips a guest run or a guest test
// did not pass.
package vmtest
