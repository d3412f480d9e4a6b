package cli

import (
	"github.com/spf13/cobra"

	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/engine"
)

// initOptions are the flags of `meshgate init`.
type initOptions struct {
	Dir      string
	Force    bool
	Provider string
}

func newInitCmd(s Streams) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "write a commented .meshgate.yaml from discovery",
		Long: `Discover the repository's environments (Helm charts with their values files,
kustomize overlays) and write them to a commented .meshgate.yaml, checked
by the same loader meshgate check uses before it replaces anything.`,
		Example: "  meshgate init\n  meshgate init -C deploy-repo --provider linkerd --force",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := takeDir(cmd, &o.Dir, args); err != nil {
				return err
			}
			if !cmd.Flags().Changed("provider") {
				o.Provider = "" // detected from the rendered objects
			} else if !slices.Contains(config.Providers, o.Provider) {
				return usagef("init: --provider %q: want %s", o.Provider, strings.Join(config.Providers, ", "))
			}
			_, err := runInit(cmd.Context(), s, o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Dir, "dir", "C", ".", "write the config of the repository in `DIR`")
	f.BoolVar(&o.Force, "force", false, "overwrite an existing config file")
	f.StringVar(&o.Provider, "provider", config.DefaultProvider, "mesh `PROVIDER`: "+strings.Join(config.Providers, ", "))
	_ = cmd.MarkFlagDirname("dir")
	_ = cmd.RegisterFlagCompletionFunc("provider", fixedCompletion(config.Providers))
	return cmd
}

// runInit writes a commented .meshgate.yaml from discovery. The file is
// checked with config.Load before it replaces anything.
func runInit(ctx context.Context, s Streams, o *initOptions) (int, error) {
	root, err := filepath.Abs(o.Dir)
	if err != nil {
		return 0, usagef("init: -C %s: %v", o.Dir, err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return 0, usagef("init: -C %s: not a directory", o.Dir)
	}
	name := config.FileNames[0]
	for _, n := range config.FileNames {
		_, err := os.Stat(filepath.Join(root, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if !o.Force {
			return 0, usagef("init: %s already exists; run meshgate init --force to overwrite it", filepath.Join(o.Dir, n))
		}
		// Overwrite the user's file rather than leave two config files,
		// which meshgate refuses to choose between.
		name = n
		break
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cfg, err := config.DefaultConfig(root)
	if err != nil {
		return 0, usagef("init: %v", err)
	}
	if len(cfg.Environments) == 0 {
		return 0, usagef("init: found no Helm chart (Chart.yaml), kustomization or folder of Kubernetes objects in %s, so there is no environment to write; see %s/configuration.md to write %s by hand", o.Dir, docsURL, name)
	}
	if o.Provider == "" {
		d := engine.DetectProvider(ctx, cfg)
		o.Provider = d.Provider
		fmt.Fprintf(s.Stderr, "meshgate: %s\n", d.Reason)
	}
	if err := writeConfigFile(root, name, check.InitConfig(cfg.Environments, o.Provider)); err != nil {
		return 0, err
	}

	fmt.Fprintf(s.Stderr, "meshgate: wrote %s with %d environment(s):\n", filepath.Join(o.Dir, name), len(cfg.Environments))
	for _, e := range cfg.Environments {
		fmt.Fprintf(s.Stderr, "  %-24s %-9s %s\n", e.Name, e.Source(), e.Origin)
	}
	describeSkipped(s, cfg.Skipped)
	fmt.Fprintf(s.Stderr, "Next: set each environment's namespace and the labels of namespaces the cluster has (mesh.namespaces), then run meshgate check.\n")
	return 0, nil
}

// writeConfigFile writes the config beside its final name, loads it as
// `meshgate check` would, and only then renames it into place.
func writeConfigFile(root, name, content string) error {
	tmp, err := os.CreateTemp(root, ".meshgate-init-*.yaml")
	if err != nil {
		return usagef("init: write %s: %v", name, err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(content)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return usagef("init: write %s: %v", name, werr)
	}
	if _, err := config.Load(root, tmp.Name()); err != nil {
		return fmt.Errorf("init: the config written for %s does not load; this is a bug in meshgate: %w", root, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return usagef("init: write %s: %v", name, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(root, name)); err != nil {
		return usagef("init: write %s: %v", name, err)
	}
	return nil
}
