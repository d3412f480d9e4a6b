package cli

import (
	"github.com/spf13/cobra"

	"bytes"
	"context"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

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
document preceded by the source file a person edits. Secret values are
replaced by REDACTED.`,
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
	plan, err := engine.NewPlan(ctx, engine.Request{Dir: o.Dir, ConfigFile: o.Config, Envs: o.Envs})
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
	return writeRendered(s.Stdout, env, res.Docs)
}

// writeRendered prints the documents as one YAML stream, each preceded by
// the source a person edits, with Secret values redacted.
func writeRendered(w io.Writer, env config.Environment, docs []render.Doc) error {
	for _, d := range docs {
		if _, err := fmt.Fprintf(w, "---\n# Source: %s\n", d.File); err != nil {
			return err
		}
		body := redactSecret(d.YAML)
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

// redactedValue replaces every Secret value in `meshgate render` output.
const redactedValue = "REDACTED"

// redactSecret returns doc with the values of every Secret's data and
// stringData replaced, keys kept, also for Secrets inside a List. Documents
// without Secrets come back unchanged; one that does not parse is withheld
// entirely, since it might be a Secret.
func redactSecret(doc []byte) []byte {
	if !bytes.Contains(doc, []byte("Secret")) {
		return doc
	}
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return []byte("# (document withheld: it does not parse as YAML)\n")
	}
	if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return doc
	}
	if !redactNode(n.Content[0]) {
		return doc
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return []byte("# (document withheld: it could not be redacted)\n")
	}
	return buf.Bytes()
}

// redactNode redacts obj if it is a Secret, or the Secrets among its items
// if it is a List; it reports whether it changed anything.
func redactNode(obj *yaml.Node) bool {
	kind := mapValue(obj, "kind")
	if kind == nil {
		return false
	}
	if kind.Value != "Secret" {
		items := mapValue(obj, "items")
		if items == nil || items.Kind != yaml.SequenceNode {
			return false
		}
		changed := false
		for _, it := range items.Content {
			changed = redactNode(it) || changed
		}
		return changed
	}
	for _, field := range []string{"data", "stringData"} {
		for i := 0; i+1 < len(obj.Content); i += 2 {
			if obj.Content[i].Value != field {
				continue
			}
			m := obj.Content[i+1]
			if m.Kind != yaml.MappingNode {
				// Not a map of keys: nothing of it is shown.
				obj.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue}
				continue
			}
			for j := 1; j < len(m.Content); j += 2 {
				m.Content[j] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedValue}
			}
		}
	}
	return true
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
