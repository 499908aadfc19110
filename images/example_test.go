package images_test

import (
	"fmt"
	"log"

	"github.com/goerst/erst/images"
)

// Build the guest's initramfs from this checkout for the newest Debian
// kernel (cached: a second call with the same inputs returns the same
// file at once). It needs the kernel and a minute of building, so it is
// compiled, not run.
func Example() {
	k, err := images.DefaultKernel()
	if err != nil {
		fmt.Println(err)
		return
	}
	src, err := images.FindSource(".")
	if err != nil {
		fmt.Println(err)
		return
	}
	path, built, err := images.Build(images.Config{Source: src, Kernel: k, Logf: log.Printf})
	fmt.Println(path, built, err)
}
