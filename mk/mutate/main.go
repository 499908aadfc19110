// Command mutate checks that the test suite sees known faults: it copies
// the checkout (git's tracked and untracked, not ignored, files) to a
// temporary directory, puts each fault of faults.go into the copy, one at a
// time, and runs the tests that must catch it. A fault is caught when those
// tests fail (and the copy still builds). It never touches the checkout.
//
// Usage (make mutate runs it with no flags):
//
//	go run ./mk/mutate [-run REGEXP] [-list] [-keep]
//
// -run selects faults by name, -list prints them, -keep leaves the copy.
// Before any fault, the tests each fault names are run on the unchanged
// copy and must pass. Exit status: 0 every fault caught, 1 a fault missed,
// stale (its text is no longer in the file exactly once) or not building,
// or a baseline failing; 2 bad usage or a copy that cannot be made.
//
// go-gremlins/gremlins builds with this Go, but its mutations are
// operator swaps chosen by the tool; the faults here are the ones an audit
// found unnoticed (issue 22) and must stay caught, so they are listed.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// timeout bounds one go test run.
const timeout = 10 * time.Minute

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sel := fs.String("run", "", "only the faults whose name matches this regexp")
	list := fs.Bool("list", false, "list the faults and exit")
	keep := fs.Bool("keep", false, "keep the temporary copy")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mutate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	re, err := regexp.Compile(*sel)
	if err != nil {
		fmt.Fprintf(stderr, "mutate: -run %q: %v\n", *sel, err)
		return 2
	}
	var chosen []fault
	for _, f := range faults {
		if re.MatchString(f.Name) {
			chosen = append(chosen, f)
		}
	}
	if *list {
		for _, f := range chosen {
			fmt.Fprintf(stdout, "%-36s %s -run %s\n", f.Name, f.Pkg, f.Run)
		}
		return 0
	}
	if len(chosen) == 0 {
		fmt.Fprintf(stderr, "mutate: -run %q selects no fault\n", *sel)
		return 2
	}

	dir, err := copyCheckout()
	if err != nil {
		fmt.Fprintf(stderr, "mutate: %v\n", err)
		return 2
	}
	if *keep {
		fmt.Fprintf(stdout, "mutate: the copy is %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	bad := 0
	type target struct{ pkg, run string }
	checked := map[target]bool{}
	for _, f := range chosen {
		tg := target{f.Pkg, f.Run}
		if checked[tg] {
			continue
		}
		checked[tg] = true
		if out, err := goTest(dir, f.Pkg, f.Run); err != nil {
			fmt.Fprintf(stdout, "BASELINE FAILS %s -run %s: %v\n%s\n", f.Pkg, f.Run, err, indent(out))
			bad++
		}
	}
	if bad > 0 {
		fmt.Fprintf(stdout, "mutate: %d test sets fail without any fault; fix them first\n", bad)
		return 1
	}

	caught := 0
	for _, f := range chosen {
		verdict, detail := try(dir, f)
		if verdict == "caught" {
			caught++
		} else {
			bad++
		}
		fmt.Fprintf(stdout, "%-8s %-36s %s\n", verdict, f.Name, detail)
	}
	fmt.Fprintf(stdout, "mutate: %d of %d faults caught\n", caught, len(chosen))
	if bad > 0 {
		return 1
	}
	return 0
}

// try puts f into the copy in dir, runs its tests and takes f out again.
func try(dir string, f fault) (verdict, detail string) {
	path := filepath.Join(dir, f.File)
	orig, err := os.ReadFile(path)
	if err != nil {
		return "STALE", err.Error()
	}
	if n := bytes.Count(orig, []byte(f.Old)); n != 1 {
		return "STALE", fmt.Sprintf("%s: the text to change is there %d times, want once", f.File, n)
	}
	mutated := bytes.Replace(orig, []byte(f.Old), []byte(f.New), 1)
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		return "STALE", err.Error()
	}
	defer os.WriteFile(path, orig, 0o644)
	out, err := goTest(dir, f.Pkg, f.Run)
	switch {
	case err == nil:
		return "MISSED", fmt.Sprintf("%s -run %s passed with the fault", f.Pkg, f.Run)
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		return "NOBUILD", fmt.Sprintf("the fault does not compile:\n%s", indent(out))
	}
	return "caught", fmt.Sprintf("by %s", failedTests(out))
}

// goTest runs the tests matching run in pkg, in dir, with CI=true (no
// skips for want of data or a tool).
func goTest(dir, pkg, run string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", run, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CI=true")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var failLine = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// failedTests names the innermost failed tests of a go test output.
func failedTests(out string) string {
	var names []string
	for _, m := range failLine.FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	// Parents are listed after their subtests; keep the leaves.
	var leaves []string
	for _, n := range names {
		leaf := true
		for _, o := range names {
			if strings.HasPrefix(o, n+"/") {
				leaf = false
			}
		}
		if leaf {
			leaves = append(leaves, n)
		}
	}
	if len(leaves) == 0 {
		return "a failing go test (no test named)"
	}
	return strings.Join(leaves, ", ")
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 20 {
		lines = append(lines[:20], "...")
	}
	return "    " + strings.Join(lines, "\n    ")
}

// copyCheckout copies the checkout the command runs in to a new
// temporary directory and returns it.
func copyCheckout() (string, error) {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", fmt.Errorf("finding the checkout: git rev-parse: %w", err)
	}
	root := strings.TrimSpace(string(top))
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	names, err := ls.Output()
	if err != nil {
		return "", fmt.Errorf("listing the checkout's files: %w", err)
	}
	dir, err := os.MkdirTemp("", "erst-mutate-")
	if err != nil {
		return "", err
	}
	for _, name := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		fi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				os.RemoveAll(dir)
				return "", err
			}
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(src)
			if err == nil {
				err = os.WriteFile(dst, b, fi.Mode().Perm())
			}
			if err != nil {
				os.RemoveAll(dir)
				return "", err
			}
		}
	}
	return dir, nil
}
