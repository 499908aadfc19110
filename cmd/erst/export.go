package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"

	"github.com/goerst/erst/erst/pstore"
	"github.com/goerst/erst/internal/cli"
	"github.com/goerst/erst/internal/textout"
)

func init() {
	register(&command{Name: "export", Args: "[FILE...]", Summary: "Write the stored records (or the record FILEs) into a directory the way people read them, as systemd-pstore does for /sys/fs/pstore.\n" +
		"Each kernel log dump's parts are joined, oldest text first, into dmesg-<id of Part1>.txt (a missing part is a line in it);\n" +
		"MCE records are decoded into mce-<id>.txt and .json; any other record is kept as <id>.cper with its decode in <id>.json;\n" +
		"index.json says which record went where. The store is only read; the files are readable by their owner only.", Setup: setupExport})
}

// defaultExportDir is export's -o when none is given.
const defaultExportDir = "erst-export"

func setupExport(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", defaultExportDir, "write the files into this `dir`, which must not exist or be empty (unless -force)")
	force := fs.Bool("force", false, "write into -o even if it holds files: files of the same names are replaced, others left")
	asJSON := fs.Bool("json", false, "print index.json to stdout too, instead of the list of files")
	return func(e *env, args []string) error {
		if *out == "" {
			return cli.Usagef("-o: an empty directory name")
		}
		if err := pstore.CheckDir(*out, *force); err != nil {
			if errors.Is(err, pstore.ErrNotEmpty) {
				return cli.Usagef("-o %v: give -force to write into it, or another -o", err)
			}
			return cli.Usagef("-o %w", err)
		}
		// Every record is read before the first file is written: bad
		// input leaves nothing behind.
		in, where, err := e.exportInputs(args)
		if err != nil {
			return err
		}
		x, err := pstore.Build(in)
		if err != nil {
			return cli.Usage(err)
		}
		if err := pstore.WriteDir(*out, x.Files, *force); err != nil {
			return fmt.Errorf("-o %s: %w", *out, err)
		}
		if *asJSON {
			if err := cli.PrintJSON(e.stdout, x.Index); err != nil {
				return err
			}
		} else if err := x.WriteText(e.stdout, *out, where); err != nil {
			return err
		}
		var errs []error
		for _, p := range x.Problems() {
			fmt.Fprintf(e.stderr, "erst export: %s\n", textout.OneLine(p))
		}
		if n := len(x.Problems()); n > 0 {
			errs = append(errs, fmt.Errorf("%d finding(s) (above and in %s); every record was exported", n, filepath.Join(*out, "index.json")))
		}
		if len(args) == 0 {
			errs = append(errs, e.storeFindings())
		}
		return errors.Join(errs...)
	}
}

// exportInputs reads the records: from the record FILEs when there are
// any, else every record of the store or the live device.
func (e *env) exportInputs(args []string) ([]pstore.Input, string, error) {
	if len(args) == 0 {
		recs, err := e.storedRecords("export", nil)
		if err != nil {
			return nil, "", err
		}
		in := make([]pstore.Input, len(recs))
		for i, r := range recs {
			in[i] = pstore.Input{ID: r.ID, Raw: r.Raw}
			if r.Unread {
				in[i].Err = r.Err
			}
		}
		where := "the live device"
		if e.g.store != "" {
			where = "store " + e.g.store
		}
		return in, where, nil
	}
	if e.g.store != "" {
		return nil, "", cli.Usagef("give -store or record FILEs, not both")
	}
	var files pstore.Files
	for _, name := range args {
		b, name, err := readInput(e, name)
		if err != nil {
			return nil, "", err
		}
		findings, err := files.Add(name, b)
		for _, f := range findings {
			fmt.Fprintf(e.stderr, "erst export: %s (exported as it is)\n", f)
		}
		if err != nil {
			return nil, "", cli.Usage(err)
		}
	}
	return files.Inputs(), fmt.Sprintf("%d file(s)", len(args)), nil
}
