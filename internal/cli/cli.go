// Package cli parses the command line and wires the pipeline stages.
package cli

import (
	"context"
	"io"
)

// Run is meshgate's whole command line; it returns the process exit code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	return 0
}
