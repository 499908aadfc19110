// Package vmtest holds the tests that boot QEMU guests with the acpi-erst
// device. They are behind the vmtest build tag, so that `go test ./...`
// stays fast on a machine without QEMU:
//
//	go test -tags vmtest -count=1 ./vmtest/     # or: make vmtest
//
// TestLinuxHW reruns erst/hw/linuxhw's own tests inside guests with
// github.com/hugelgupf/vmtest (q35 and pc with erst_disable, and q35 with
// the kernel's ERST driver active). TestErstvm runs the erstvm command end
// to end and compares the live table with the corpus.
//
// The tests find QEMU and the kernel themselves and set vmtest's
// VMTEST_QEMU, VMTEST_KERNEL, VMTEST_ARCH and VMTEST_KERNEL_APPEND; a
// VMTEST_QEMU already in the environment (e.g. with -enable-kvm) is used as
// the base command. Without QEMU or a kernel they skip, unless CI=true:
// then they fail, as they do when vmtest skips a guest run or a guest test
// did not pass.
package vmtest
