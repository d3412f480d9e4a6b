package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/report"
)

// Kinds of flag values and positional arguments the scripts complete.
const (
	compNone   = ""       // a flag without a value
	compAny    = "any"    // a free value: nothing to offer
	compDir    = "dir"    // a directory
	compFile   = "file"   // any file
	compJSON   = "json"   // a JSON file
	compValues = "values" // one of values
	compRules  = "rules"  // a rule id
	compShells = "shells" // a shell name
)

type compFlag struct {
	name   string // "-C" or "--config"
	desc   string
	arg    string
	values []string
	repeat bool
}

type compCommand struct {
	name  string
	desc  string
	flags []compFlag
	args  string // positional arguments: compRules, compShells, compJSON or compNone
}

var compShellNames = []string{"bash", "zsh", "fish"}

// compCommands is the command line the scripts complete; a test holds it
// to the commands' flag sets.
func compCommands() []compCommand {
	dir := compFlag{name: "-C", desc: "run as if started in DIR, the repository root", arg: compDir}
	cfg := compFlag{name: "--config", desc: "config file (default: .meshgate.yaml in DIR)", arg: compFile}
	env := compFlag{name: "--env", desc: "check only this environment (repeatable)", arg: compAny, repeat: true}
	format := compFlag{name: "--format", desc: "output format (repeatable)", arg: compValues, values: report.Names(), repeat: true}
	output := compFlag{name: "--output", desc: "write the preceding --format to FILE", arg: compFile, repeat: true}
	failOn := compFlag{name: "--fail-on", desc: "exit 1 on findings at or above this level", arg: compValues, values: []string{finding.FailOnError, finding.FailOnWarning, finding.FailOnNever}}
	failOnExisting := compFlag{name: "--fail-on-existing", desc: "with a base, existing findings count for --fail-on too"}
	return []compCommand{
		{name: "check", desc: "render and check every environment", flags: []compFlag{
			dir, cfg, env, format, output, failOn,
			{name: "--shard", desc: "check only the I-th of N slices of the environments (I/N)", arg: compAny},
			{name: "--base-ref", desc: "also check git REF and mark findings new or existing", arg: compAny},
			{name: "--baseline", desc: "base report (JSON) instead of --base-ref", arg: compJSON},
			failOnExisting,
			{name: "--changed-since", desc: "check only environments whose inputs changed since git REF (or A..B)", arg: compAny},
		}},
		{name: "render", desc: "print the rendered YAML of one environment", flags: []compFlag{dir, cfg, env}},
		{name: "publish", desc: "merge JSON reports and publish them to GitHub", args: compJSON, flags: []compFlag{
			format, output, failOn, failOnExisting,
		}},
		{name: "rules", desc: "list every rule"},
		{name: "explain", desc: "print a rule's documentation", args: compRules, flags: []compFlag{
			{name: "--format", desc: "output format", arg: compValues, values: []string{"text", "markdown"}},
		}},
		{name: "init", desc: "write a commented .meshgate.yaml from discovery", flags: []compFlag{
			{name: "-C", desc: "write the config of the repository in DIR", arg: compDir},
			{name: "--force", desc: "overwrite an existing config file"},
			{name: "--provider", desc: "mesh provider", arg: compValues, values: config.Providers},
		}},
		{name: "completion", desc: "print a shell completion script", args: compShells},
		{name: "version", desc: "print meshgate's version"},
		{name: "help", desc: "print usage"},
	}
}

// runCompletion prints a static completion script: `meshgate completion
// bash|zsh|fish`.
func runCompletion(s Streams, args []string) (int, error) {
	if len(args) != 1 {
		return 0, usagef("completion: name one shell: %s", strings.Join(compShellNames, ", "))
	}
	var script string
	switch args[0] {
	case "bash":
		script = bashCompletion(compCommands())
	case "zsh":
		script = zshCompletion(compCommands())
	case "fish":
		script = fishCompletion(compCommands())
	case "-h", "--help":
		fmt.Fprintf(s.Stdout, "Usage: meshgate completion bash|zsh|fish\n\n%s", completionHelp)
		return 0, nil
	default:
		return 0, usagef("completion: unknown shell %q (valid: %s)", args[0], strings.Join(compShellNames, ", "))
	}
	if _, err := io.WriteString(s.Stdout, script); err != nil {
		return 0, fmt.Errorf("completion: %w", err)
	}
	return 0, nil
}

const completionHelp = `Load completion in the current shell:
  bash: source <(meshgate completion bash)
  zsh:  source <(meshgate completion zsh)
  fish: meshgate completion fish | source
Install it for every new shell:
  bash: meshgate completion bash > ~/.local/share/bash-completion/completions/meshgate
  zsh:  meshgate completion zsh > "${fpath[1]}/_meshgate"
  fish: meshgate completion fish > ~/.config/fish/completions/meshgate.fish
`

func compNames(cmds []compCommand) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.name
	}
	return out
}

func bashCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`# bash completion for meshgate
#
# Load it in the current shell:
#   source <(meshgate completion bash)
# or install it for every new shell:
#   meshgate completion bash > ~/.local/share/bash-completion/completions/meshgate

_meshgate() {
    local cur prev cmd words
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    # bash splits --flag=value at "=".
    if [[ "$cur" == "=" ]]; then
        cur=""
    elif [[ "$prev" == "=" && $COMP_CWORD -ge 2 ]]; then
        prev="${COMP_WORDS[COMP_CWORD-2]}"
    fi
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "` + strings.Join(compNames(cmds), " ") + `" -- "$cur"))
        return
    fi
    cmd="${COMP_WORDS[1]}"
    case "$cmd $prev" in
`)
	for _, c := range cmds {
		for _, f := range c.flags {
			var action string
			switch f.arg {
			case compNone:
				continue
			case compAny:
				action = "return"
			case compDir:
				action = `COMPREPLY=($(compgen -d -- "$cur")); return`
			case compFile:
				action = `COMPREPLY=($(compgen -f -- "$cur")); return`
			case compJSON:
				action = `COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")); return`
			case compValues:
				action = `COMPREPLY=($(compgen -W "` + strings.Join(f.values, " ") + `" -- "$cur")); return`
			}
			fmt.Fprintf(&b, "        %q) %s ;;\n", c.name+" "+f.name, action)
		}
	}
	b.WriteString(`    esac
    case "$cmd" in
`)
	for _, c := range cmds {
		var flags []string
		for _, f := range c.flags {
			flags = append(flags, f.name)
		}
		var args string
		switch c.args {
		case compRules:
			args = `words="` + strings.Join(finding.RuleIDs, " ") + `"`
		case compShells:
			args = `[[ $COMP_CWORD -eq 2 ]] && words="` + strings.Join(compShellNames, " ") + `"`
		case compJSON:
			args = `COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur")); return`
		}
		switch {
		case len(flags) > 0 && args != "":
			fmt.Fprintf(&b, "        %s)\n            if [[ \"$cur\" == -* ]]; then\n                words=%q\n            else\n                %s\n            fi ;;\n", c.name, strings.Join(flags, " "), args)
		case len(flags) > 0:
			fmt.Fprintf(&b, "        %s) words=%q ;;\n", c.name, strings.Join(flags, " "))
		case args != "":
			fmt.Fprintf(&b, "        %s) %s ;;\n", c.name, args)
		}
	}
	b.WriteString(`    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}

complete -o filenames -F _meshgate meshgate
`)
	return b.String()
}

// zshQuote single-quotes s for zsh.
func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// zshSpec escapes a description for an _arguments spec.
func zshSpec(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

func zshCompletion(cmds []compCommand) string {
	var b strings.Builder
	b.WriteString(`#compdef meshgate
# zsh completion for meshgate
#
# Load it in the current shell:
#   source <(meshgate completion zsh)
# or install it for every new shell (then start a new shell):
#   meshgate completion zsh > "${fpath[1]}/_meshgate"

_meshgate() {
  local curcontext="$curcontext" state line
  typeset -A opt_args
  local -a commands rules
  commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "    %s\n", zshQuote(c.name+":"+c.desc))
	}
	b.WriteString("  )\n  rules=(\n")
	for _, r := range check.Rules {
		fmt.Fprintf(&b, "    %s\n", zshQuote(r.ID+":"+r.Description))
	}
	b.WriteString(`  )
  _arguments -C '1: :->command' '*:: :->argument'
  case $state in
    command)
      _describe -t commands 'meshgate command' commands
      ;;
    argument)
      case $line[1] in
`)
	for _, c := range cmds {
		var specs []string
		for _, f := range c.flags {
			spec := f.name + "[" + zshSpec(f.desc) + "]"
			if f.repeat {
				spec = "*" + spec
			}
			switch f.arg {
			case compAny:
				spec += ":" + strings.ToLower(strings.TrimLeft(f.name, "-")) + ": "
			case compDir:
				spec += ":directory:_directories"
			case compFile:
				spec += ":file:_files"
			case compJSON:
				spec += ":JSON report:_files -g '*.json'"
			case compValues:
				spec += ":" + strings.TrimLeft(f.name, "-") + ":(" + strings.Join(f.values, " ") + ")"
			}
			specs = append(specs, zshQuote(spec))
		}
		switch c.args {
		case compRules:
			specs = append(specs, `'1:rule:{_describe -t rules "rule" rules}'`)
		case compShells:
			specs = append(specs, zshQuote("1:shell:("+strings.Join(compShellNames, " ")+")"))
		case compJSON:
			specs = append(specs, zshQuote("*:JSON report:_files -g '*.json'"))
		}
		if len(specs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "        %s)\n          _arguments \\\n            %s\n          ;;\n", c.name, strings.Join(specs, " \\\n            "))
	}
	b.WriteString(`      esac
      ;;
  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _meshgate "$@"
else
  compdef _meshgate meshgate
fi
`)
	return b.String()
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func fishCompletion(cmds []compCommand) string {
	var b strings.Builder
	names := strings.Join(compNames(cmds), " ")
	b.WriteString(`# fish completion for meshgate
#
# Load it in the current shell:
#   meshgate completion fish | source
# or install it for every new shell:
#   meshgate completion fish > ~/.config/fish/completions/meshgate.fish

complete -c meshgate -f
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c meshgate -n 'not __fish_seen_subcommand_from %s' -a %s -d %s\n", names, c.name, fishQuote(c.desc))
	}
	for _, c := range cmds {
		cond := fmt.Sprintf("-n '__fish_seen_subcommand_from %s'", c.name)
		for _, f := range c.flags {
			opt := "-l " + strings.TrimPrefix(f.name, "--")
			if !strings.HasPrefix(f.name, "--") {
				opt = "-o " + strings.TrimPrefix(f.name, "-")
			}
			var arg string
			switch f.arg {
			case compAny:
				arg = " -x"
			case compDir:
				arg = " -x -a '(__fish_complete_directories)'"
			case compFile, compJSON:
				arg = " -r -F"
			case compValues:
				arg = " -x -a " + fishQuote(strings.Join(f.values, " "))
			}
			fmt.Fprintf(&b, "complete -c meshgate %s %s%s -d %s\n", cond, opt, arg, fishQuote(f.desc))
		}
		switch c.args {
		case compRules:
			for _, r := range check.Rules {
				fmt.Fprintf(&b, "complete -c meshgate %s -a %s -d %s\n", cond, r.ID, fishQuote(r.Description))
			}
		case compShells:
			fmt.Fprintf(&b, "complete -c meshgate -n '__fish_seen_subcommand_from %s; and not __fish_seen_subcommand_from %s' -a %s\n",
				c.name, strings.Join(compShellNames, " "), fishQuote(strings.Join(compShellNames, " ")))
		case compJSON:
			fmt.Fprintf(&b, "complete -c meshgate %s -F\n", cond)
		}
	}
	return b.String()
}
