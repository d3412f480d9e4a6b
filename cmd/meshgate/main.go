// Command meshgate checks that every workload of every environment gets its
// service-mesh dataplane and that every Secret it references exists.
package main

import (
	"context"
	"os"

	"github.com/meshgate/meshgate/internal/cli"
)

func main() {
	cli.TuneGC(os.Getenv)
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
