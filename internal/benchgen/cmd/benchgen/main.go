// Command benchgen writes the synthetic monorepo meshgate's benchmark runs
// on: go run ./internal/benchgen/cmd/benchgen -out /tmp/mono
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/meshgate/meshgate/internal/benchgen"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "folder to write the repository into (missing or empty)")
	opts := benchgen.Options{}
	fs.IntVar(&opts.Envs, "envs", benchgen.DefaultEnvs, "environments, half Helm and half kustomize")
	fs.IntVar(&opts.Services, "services", benchgen.DefaultServices, "services in every environment")
	fs.Int64Var(&opts.Seed, "seed", benchgen.DefaultSeed, "seed of the service shapes and sizes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: benchgen -out DIR [-envs N] [-services M] [-seed S]")
		return 2
	}
	if err := benchgen.Generate(*out, opts); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "benchgen: %d environments × %d services, %d workloads in %s\n",
		opts.Envs, opts.Services, benchgen.Workloads(opts), *out)
	return 0
}
