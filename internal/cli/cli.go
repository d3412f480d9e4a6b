// Package cli is meshgate's command line: flags and verbs, each a few calls
// into the engine, the formatters and the Action layer. The commands are
// built on cobra; each is an options struct plus a run function, so that
// parsing and behaviour test apart.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meshgate/meshgate/internal/action"
	"github.com/meshgate/meshgate/internal/report"
	"github.com/meshgate/meshgate/internal/suggest"
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

// exitError ends a command with a code and nothing more to say: the
// command has said it (findings, a render error on stderr).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exit is the error a run function returns for exit code code; nil for 0.
func exit(code int) error {
	if code == 0 {
		return nil
	}
	return &exitError{code}
}

// Streams are the process's standard streams and environment.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Run is meshgate's whole command line; it returns the process exit code:
// 0 no finding at or above --fail-on, 1 findings, 2 usage or configuration
// error, 3 internal error.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	s := Streams{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	// Helm's chart loader and values coalescing warn through the standard
	// logger; those lines would interleave with the report, and every real
	// problem reaches the user as a finding instead.
	log.SetOutput(io.Discard)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "meshgate: internal error: %v\nThis is a bug in meshgate; please report it with the command you ran.\n%s", r, debug.Stack())
			code = report.ExitInternal
		}
	}()
	if len(args) == 0 && action.InActions(getenv) {
		// The docker action runs the image's entrypoint with no arguments.
		args = []string{"check"}
	}
	root := newRootCmd(s)
	// nil would make cobra read os.Args.
	root.SetArgs(append([]string{}, args...))
	cmd, err := root.ExecuteContextC(ctx)
	return exitCode(s, cmd, err)
}

// exitCode maps a command's error to the exit code, saying what went wrong
// on stderr in one line.
func exitCode(s Streams, cmd *cobra.Command, err error) int {
	var ee *exitError
	var ue *usageError
	switch {
	case err == nil:
		return report.ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(s.Stderr, "meshgate: %s\n", strings.TrimSpace(err.Error()))
		return report.ExitUsage
	case isCobraUsage(err):
		fmt.Fprintf(s.Stderr, "meshgate: %s\n", cobraUsage(cmd, err))
		if cmd != nil {
			fmt.Fprintf(s.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return report.ExitUsage
	}
	fmt.Fprintf(s.Stderr, "meshgate: %v\n", err)
	return report.ExitInternal
}

// cobra's own argument errors carry no type; these are their beginnings.
var cobraUsagePrefixes = []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires ", "bad flag syntax", "if any flags in the group"}

func isCobraUsage(err error) bool {
	for _, p := range cobraUsagePrefixes {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}

var unknownFlag = regexp.MustCompile(`^unknown flag: (--[^\s=]+)`)

// cobraUsage is a cobra or pflag error as meshgate says it: the command
// named, and the closest flag for a mistyped one.
func cobraUsage(cmd *cobra.Command, err error) string {
	msg := err.Error()
	where := "meshgate"
	if cmd != nil {
		where = cmd.CommandPath()
	}
	if m := unknownFlag.FindStringSubmatch(msg); m != nil && cmd != nil {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, "--"+f.Name)
			}
		})
		if near := suggest.Closest(m[1], names); near != "" {
			return fmt.Sprintf("%s: unknown flag %s (did you mean %s?)", strings.TrimPrefix(where, "meshgate "), m[1], near)
		}
		return fmt.Sprintf("%s: unknown flag %s", strings.TrimPrefix(where, "meshgate "), m[1])
	}
	if where != "meshgate" {
		return strings.TrimPrefix(where, "meshgate ") + ": " + msg
	}
	return msg
}

const rootLong = `meshgate checks that every workload of every environment gets its service-mesh
dataplane and that every Secret it references exists.

Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage or
configuration error, 3 internal error.`

// newRootCmd is the command tree.
func newRootCmd(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "meshgate",
		Short:         "check mesh injection and Secret references in every environment",
		Long:          rootLong,
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Arbitrary, so that an unknown command reaches RunE and gets one
		// line with a suggestion rather than cobra's usage dump.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				cmd.SetOut(s.Stderr)
				_ = cmd.Usage()
				return exit(report.ExitUsage)
			}
			if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
				return usagef("unknown command %q (did you mean %s?)", args[0], strings.Join(near, " or "))
			}
			return usagef("unknown command %q (want %s)", args[0], strings.Join(commandNames(cmd), ", "))
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(s.Stdin)
	root.SetOut(s.Stdout)
	root.SetErr(s.Stderr)
	root.SetVersionTemplate("meshgate {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.CompletionOptions.HiddenDefaultCmd = false
	root.AddCommand(
		newCheckCmd(s), newFixCmd(s), newRenderCmd(s), newPublishCmd(s), newRulesCmd(s),
		newExplainCmd(s), newInitCmd(s), newVersionCmd(s),
	)
	// What cobra would add on Execute, added now so that tests and
	// completion see the whole tree.
	root.InitDefaultHelpFlag()
	root.InitDefaultVersionFlag()
	root.InitDefaultHelpCmd()
	strictCompletion(root)
	return root
}

// commandNames are the names of cmd's visible subcommands.
func commandNames(cmd *cobra.Command) []string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	return names
}

// plainCmd is a command without flags or arguments.
func plainCmd(use, short string, run func() error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return run() }}
}

func newVersionCmd(s Streams) *cobra.Command {
	return plainCmd("version", "print meshgate's version", func() error {
		_, err := fmt.Fprintf(s.Stdout, "meshgate %s\n", Version())
		return err
	})
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
