package cli

import (
	"bytes"
	"github.com/spf13/cobra"

	"context"
	"fmt"
	"io"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
	"github.com/meshgate/meshgate/internal/render"
	"github.com/meshgate/meshgate/internal/report"
)

// renderOptions are the flags of `meshgate render`.
type renderOptions struct {
	Dir, Config string
	Envs        []string
}

func newRenderCmd(s Streams) *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render [DIR] --env NAME",
		Short: "print the rendered YAML of one environment, Secret values redacted",
		Long: `Print one environment's rendered manifests as meshgate checks them, each
document preceded by the source file a person edits. Helm charts render
with their CRDs (like helm template --include-crds) and, unless
helm.includeHooks is false, their hooks other than tests. Secret values are replaced by REDACTED; the documents keep their
shape (a null stringData stays null).`,
		Example: "  meshgate render --env prod\n  meshgate render -C deploy-repo --env staging > staging.yaml",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := takeDir(cmd, &o.Dir, args); err != nil {
				return err
			}
			return runRender(cmd.Context(), s, o)
		},
	}
	addRepoFlags(cmd, &o.Dir, &o.Config, &o.Envs)
	return cmd
}

func runRender(ctx context.Context, s Streams, o *renderOptions) error {
	if len(o.Envs) != 1 {
		return usagef("render: name exactly one --env")
	}
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs, Getenv: s.Getenv})
	if err != nil {
		return usagef("%v", err)
	}
	plan.Renderers = renderers
	env := plan.Environments[0]
	res := plan.Render(ctx, env)
	if res.Err != nil {
		fmt.Fprintf(s.Stderr, "meshgate: render env %q: %v\n", env.Name, res.Err)
		return exit(report.ExitFindings)
	}
	return writeRendered(s.Stdout, env, res.Docs, env.Redact)
}

// writeRendered prints the documents as one YAML stream, each preceded by
// the source a person edits, with Secret values redacted: those of the
// rendered Secrets, and secrets, the values a GitOps object took from
// Secrets (a Flux substitution puts them in any object).
func writeRendered(w io.Writer, env config.Environment, docs []render.Doc, secrets []string) error {
	for _, d := range docs {
		if _, err := fmt.Fprintf(w, "---\n# Source: %s\n", d.File); err != nil {
			return err
		}
		body := render.RedactSecretValues(d.YAML)
		for _, secret := range secrets {
			if len(secret) >= render.MinRedactLen {
				// As RedactSecretValues words it, so the YAML keeps its shape.
				body = bytes.ReplaceAll(body, []byte(secret), []byte("REDACTED"))
			}
		}
		if _, err := w.Write(body); err != nil {
			return err
		}
		if len(body) > 0 && body[len(body)-1] != '\n' {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
	}
	return nil
}
