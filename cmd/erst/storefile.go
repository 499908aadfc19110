package main

import (
	"errors"
	"fmt"

	"github.com/goerst/erst/erst/store"
	"github.com/goerst/erst/erst/target"
	"github.com/goerst/erst/internal/cli"
)

// storeError turns an error opening the store at path into the command's
// one-line error with its exit code: 2 for a file that cannot be used as
// a store, 1 for a store that is busy or failing.
func storeError(path string, err error) error { return exitCode(target.StoreError(path, err)) }

// exitCode gives a library's error its exit code: 2 for target.ErrInput,
// with what erst's subcommands have to do with it said; else 1.
func exitCode(err error) error {
	switch {
	case err == nil || !errors.Is(err, target.ErrInput):
		return err
	case errors.Is(err, target.ErrNoStore):
		err = fmt.Errorf("%w (only create and write make a store; check the -store path)", err)
	case errors.Is(err, store.ErrUnformatted):
		err = fmt.Errorf("%w: erst create or erst write formats it, as QEMU would", err)
	}
	return cli.Usage(err)
}
