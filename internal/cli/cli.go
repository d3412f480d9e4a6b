// Package cli parses the command line and wires the pipeline stages:
// config → render → manifest → check → report → publish.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strings"

	"github.com/meshgate/meshgate/internal/action"
)

// version is stamped at build time with -ldflags "-X ...cli.version=v1.2.3".
var version = "dev"

// Version is the version this binary reports.
func Version() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// usageError is a bad flag, argument or config: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

const usage = `meshgate checks that every workload of every environment gets its service-mesh
dataplane and that every Secret it references exists.

Usage:
  meshgate check   [-C DIR] [--config FILE] [--env NAME]... [--format FMT [--output FILE]]...
                   [--fail-on error|warning|never] [--shard I/N]
                   [--base-ref REF | --baseline REPORT.json] [--fail-on-existing]
  meshgate render  [-C DIR] [--config FILE] --env NAME
  meshgate publish REPORT.json...
  meshgate rules
  meshgate explain [--format text|markdown] RULE
  meshgate init    [-C DIR] [--force] [--provider NAME]
  meshgate completion bash|zsh|fish
  meshgate version

Formats: text, json, markdown, sarif, github. Exit codes: 0 no finding at or
above --fail-on, 1 findings, 2 usage or configuration error, 3 internal error.
`

// Streams are the process's standard streams and environment.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Run is meshgate's whole command line; it returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	s := Streams{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	// Helm's chart loader and values coalescing warn through the standard
	// logger; those lines would interleave with the report, and every real
	// problem reaches the user as a finding instead.
	log.SetOutput(io.Discard)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "meshgate: internal error: %v\nThis is a bug in meshgate; please report it with the command you ran.\n%s", r, debug.Stack())
			code = 3
		}
	}()
	if len(args) == 0 && action.InActions(getenv) {
		// The docker action runs the image's entrypoint with no arguments.
		args = []string{"check"}
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "check":
		code, err = runCheck(ctx, s, args[1:])
	case "render":
		code, err = runRender(ctx, s, args[1:])
	case "publish":
		code, err = runPublish(ctx, s, args[1:])
	case "rules":
		code, err = runRules(s, args[1:])
	case "explain":
		code, err = runExplain(s, args[1:])
	case "init":
		code, err = runInit(ctx, s, args[1:])
	case "completion":
		code, err = runCompletion(s, args[1:])
	case "version", "--version":
		fmt.Fprintf(stdout, "meshgate %s\n", Version())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usagef("unknown command %q (want check, render, publish, rules or version)", args[0])
	}
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "meshgate: %s\n", strings.TrimSpace(err.Error()))
			return 2
		}
		if errors.Is(err, errHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 3
	}
	return code
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
