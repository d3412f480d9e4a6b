package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// output is one --format with its optional --output file ("" = stdout).
type output struct {
	Format string
	File   string
	// named is true when --format named the format (not the extension).
	named bool
}

// shard is --shard I/N: the I-th (1-based) of N slices.
type shard engine.Shard

func (s *shard) Type() string { return "I/N" }

func (s *shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

func (s *shard) Set(v string) error {
	i, n, ok := strings.Cut(v, "/")
	if !ok {
		return fmt.Errorf("want I/N, e.g. 1/4")
	}
	iv, err1 := strconv.Atoi(i)
	nv, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || nv < 1 || iv < 1 || iv > nv {
		return fmt.Errorf("want I/N with 1 <= I <= N, e.g. 1/4")
	}
	s.I, s.N = iv, nv
	return nil
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag struct{ list *[]string }

func (l listFlag) Type() string { return "NAME" }

func (l listFlag) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l.list = append(*l.list, p)
		}
	}
	return nil
}

// formatFlag appends an output; outputFlag names the file of the last one.
type formatFlag struct{ outs *[]output }

func (f formatFlag) Type() string   { return "FORMAT" }
func (f formatFlag) String() string { return "" }

func (f formatFlag) Set(v string) error {
	if _, err := report.Lookup(v); err != nil {
		return err
	}
	*f.outs = append(*f.outs, output{Format: v, named: true})
	return nil
}

type outputFlag struct{ outs *[]output }

func (f outputFlag) Type() string   { return "FILE" }
func (f outputFlag) String() string { return "" }

// Set names the file of the preceding --format; without one waiting, the
// format comes from the file's extension.
func (f outputFlag) Set(v string) error {
	if n := len(*f.outs); n > 0 && (*f.outs)[n-1].named && (*f.outs)[n-1].File == "" {
		(*f.outs)[n-1].File = v
		return nil
	}
	format, ok := formatByExtension[strings.ToLower(filepath.Ext(v))]
	if !ok {
		return fmt.Errorf("%s: cannot tell the format from the extension (.json, .sarif, .md or .txt); put --format FORMAT before it", v)
	}
	*f.outs = append(*f.outs, output{Format: format, File: v})
	return nil
}

// formatByExtension is the format --output infers without --format.
var formatByExtension = map[string]string{
	".json":  report.FormatJSON,
	".sarif": report.FormatSARIF,
	".md":    "markdown",
	".txt":   "text",
}

// addOutputFlags adds the repeatable --format and --output pair.
func addOutputFlags(cmd *cobra.Command, outs *[]output, what string) {
	cmd.Flags().Var(formatFlag{outs}, "format", what+": "+strings.Join(report.Names(), ", ")+" (repeatable)")
	cmd.Flags().Var(outputFlag{outs}, "output", "write the preceding --format to FILE (without --format, the format comes from the extension)")
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion(report.Names()))
}

// addFailOnFlag adds --fail-on.
func addFailOnFlag(cmd *cobra.Command, failOn *string) {
	cmd.Flags().StringVar(failOn, "fail-on", finding.FailOnError, "exit 1 on findings at or above `LEVEL`: "+strings.Join(finding.FailOnValues, ", "))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", fixedCompletion(finding.FailOnValues))
}

// finishGate validates command's --fail-on and its outputs: text goes to
// stdout when nothing else does, and at most one format may.
func finishGate(command, failOn string, outs []output) ([]output, error) {
	if _, err := finding.ParseFailOn(failOn); err != nil {
		return nil, usagef("%s: --fail-on %v", command, err)
	}
	stdout := 0
	for _, o := range outs {
		if o.File == "" {
			stdout++
		}
	}
	if stdout == 0 {
		return append([]output{{Format: "text"}}, outs...), nil
	}
	if stdout > 1 {
		return nil, usagef("%s: %d formats write to stdout; give each but one an --output FILE", command, stdout)
	}
	return outs, nil
}

// addRepoFlags adds -C, --config and --env, which every command that reads
// a repository shares.
func addRepoFlags(cmd *cobra.Command, dir, cfg *string, envs *[]string) {
	f := cmd.Flags()
	f.StringVarP(dir, "dir", "C", ".", "run as if started in `DIR`, the repository root")
	f.StringVar(cfg, "config", "", "config `FILE` (default: .meshgate.yaml in DIR, else discovery)")
	_ = cmd.MarkFlagDirname("dir")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	if envs != nil {
		f.Var(listFlag{envs}, "env", "check only environment NAME (repeatable, or comma-separated)")
		_ = cmd.RegisterFlagCompletionFunc("env", completeEnvs)
	}
}

// takeDir lets a positional DIR stand for -C DIR.
func takeDir(cmd *cobra.Command, dir *string, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if cmd.Flags().Changed("dir") && args[0] != *dir {
		return usagef("%s: give the directory once: -C %s or %s", cmd.Name(), *dir, args[0])
	}
	*dir = args[0]
	return nil
}
