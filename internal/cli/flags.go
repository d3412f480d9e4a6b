package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

var errHelp = flag.ErrHelp

// output is one --format with its optional --output file ("" = stdout).
type output struct {
	Format string
	File   string
}

// checkOptions are the flags of `meshgate check` (and, in part, render).
type checkOptions struct {
	Dir            string
	Config         string
	Envs           []string
	Outputs        []output
	FailOn         string
	Shard          shard
	BaseRef        string
	Baseline       string
	FailOnExisting bool
	// ChangedSince keeps the environments whose inputs changed since this
	// git ref (or between A..B).
	ChangedSince string
	// changedFiles, when not nil, are the changed files (the changed-only
	// action input, from the pull request).
	changedFiles []string
	changedFrom  string

	// RenderOnly renders and stops: the benchmark's render-only baseline.
	RenderOnly bool

	failOnSet bool // --fail-on was given (it wins over the action input)
	// autoBase is true when the Action chose BaseRef itself (the pull
	// request's base commit): a base that cannot be checked then only
	// means that no finding is marked new or existing.
	autoBase bool
}

// shard is --shard I/N: the I-th (1-based) of N slices.
type shard engine.Shard

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

type listFlag struct{ list *[]string }

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

func (f formatFlag) String() string { return "" }

func (f formatFlag) Set(v string) error {
	if _, err := report.Lookup(v); err != nil {
		return err
	}
	*f.outs = append(*f.outs, output{Format: v})
	return nil
}

type outputFlag struct{ outs *[]output }

func (f outputFlag) String() string { return "" }

func (f outputFlag) Set(v string) error {
	n := len(*f.outs)
	if n == 0 {
		// --output before any --format writes the default text format.
		*f.outs = append(*f.outs, output{Format: "text"})
		n = 1
	}
	if (*f.outs)[n-1].File != "" {
		return fmt.Errorf("--output %s: the preceding --format already has --output %s", v, (*f.outs)[n-1].File)
	}
	(*f.outs)[n-1].File = v
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("meshgate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func commonFlags(fs *flag.FlagSet, o *checkOptions) {
	fs.StringVar(&o.Dir, "C", ".", "run as if started in `DIR` (the repository root)")
	fs.StringVar(&o.Config, "config", "", "config `FILE` (default: .meshgate.yaml in DIR, else discovery)")
	fs.Var(listFlag{&o.Envs}, "env", "check only environment `NAME` (repeatable, or comma-separated)")
}

func parseCheckFlags(args []string, stderr io.Writer) (*checkOptions, error) {
	o := &checkOptions{FailOn: finding.FailOnError}
	fs := newFlagSet("check", stderr)
	commonFlags(fs, o)
	fs.Var(formatFlag{&o.Outputs}, "format", "output `FORMAT`: text, json, markdown, sarif or github (repeatable)")
	fs.Var(outputFlag{&o.Outputs}, "output", "write the preceding --format to `FILE`")
	fs.StringVar(&o.FailOn, "fail-on", finding.FailOnError, "exit 1 on findings at or above `LEVEL`: error, warning or never")
	fs.Var(&o.Shard, "shard", "check only the I-th of N stable slices of the environments (`I/N`)")
	fs.StringVar(&o.BaseRef, "base-ref", "", "also check git `REF` and mark findings new or existing")
	fs.StringVar(&o.Baseline, "baseline", "", "take the base report from `REPORT.json` instead of --base-ref")
	fs.BoolVar(&o.FailOnExisting, "fail-on-existing", false, "with a base, count existing findings for --fail-on too")
	fs.StringVar(&o.ChangedSince, "changed-since", "", "check only environments whose inputs changed since git `REF` (or between A..B)")
	fs.BoolVar(&o.RenderOnly, "render-only", false, "render every environment and stop (for benchmarks)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, errHelp
		}
		return nil, usagef("check: %v", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("check: unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { o.failOnSet = o.failOnSet || f.Name == "fail-on" })
	switch o.FailOn {
	case finding.FailOnError, finding.FailOnWarning, finding.FailOnNever:
	default:
		return nil, usagef("check: --fail-on %q: want error, warning or never", o.FailOn)
	}
	if o.BaseRef != "" && o.Baseline != "" {
		return nil, usagef("check: --base-ref and --baseline exclude each other")
	}
	if !hasStdout(o.Outputs) {
		o.Outputs = append([]output{{Format: "text"}}, o.Outputs...)
	}
	stdout := 0
	for _, out := range o.Outputs {
		if out.File == "" {
			stdout++
		}
	}
	if stdout > 1 {
		return nil, usagef("check: %d formats write to stdout; give each but one an --output FILE", stdout)
	}
	return o, nil
}

// hasStdout reports whether some output goes to stdout; when none does, the
// text format does, as the SPEC says.
func hasStdout(outs []output) bool {
	for _, o := range outs {
		if o.File == "" {
			return true
		}
	}
	return false
}

// request is what the options ask the engine to check.
func (o *checkOptions) request() engine.Request {
	return engine.Request{
		Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs, Shard: engine.Shard(o.Shard),
		ChangedSince: o.ChangedSince, ChangedFiles: o.changedFiles, ChangedFrom: o.changedFrom,
		BaseRef: o.BaseRef, Baseline: o.Baseline, BaseOptional: o.autoBase,
	}
}
