package gitops

import (
	"fmt"
	"maps"
	"path"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
)

// Input is what Expand starts from.
type Input struct {
	Config *config.Config
	// Getenv reads GITHUB_REPOSITORY and GITHUB_SERVER_URL; nil reads
	// nothing.
	Getenv func(string) string
	// Objects are the objects of the repository's files (Find).
	Objects []Object
	// Render returns the objects env renders, nil when it renders none or
	// fails. Expand asks only for environments that may hold GitOps
	// objects (MayHold).
	Render func(env config.Environment) []Object
}

// Plan is the environments the GitOps objects of a repository deploy.
type Plan struct {
	// Environments are the environments of GitOps objects, each once,
	// named, in the order found.
	Environments []config.Environment
	// Replaced are discovered environments a GitOps environment renders
	// as it is deployed: they are not checked on their own.
	Replaced []config.Skipped
	// Notes are, by the name of the environment whose rendering holds the
	// object, what of a GitOps object is not expanded and why.
	Notes map[string][]Note
	// Followed are, by environment name, the GitOps objects its rendering
	// holds that are environments of their own.
	Followed map[string][]Ref
	// Unrendered are notes on objects of the repository's files that no
	// environment renders: the listing says them.
	Unrendered []Note
}

// node is an environment in the expansion: configured, discovered or
// made from a GitOps object.
type node struct {
	env   config.Environment
	depth int
	// chain are the render keys from the first environment down to this
	// one, and names the same by name, for cycles.
	chain, names []string
	gitops       bool
	// parent is the environment whose rendering holds the object, nil for
	// one of the repository's files.
	parent   *node
	notes    []Note
	followed []Ref
}

// Expand finds the environments of the GitOps objects of in.Objects and of
// what the environments render, level by level down to gitops.maxDepth.
// An object that leads back to an environment of its own chain is a cycle:
// a note names it.
func Expand(in Input) Plan {
	cfg := in.Config
	s := &Scope{Root: cfg.Root, Config: cfg, Repo: NewRepo(cfg.Root, in.Getenv, cfg.GitOps.RepoURLs)}
	var nodes []*node
	for _, e := range cfg.Environments {
		nodes = append(nodes, &node{env: e, chain: []string{e.RenderKey()}, names: []string{e.Name}})
	}
	top := &node{}
	s.Objects = in.Objects
	rendered := map[string]bool{} // Kind/ns/name@file of objects some environment renders
	for _, o := range in.Objects {
		nodes = expandObject(s, top, o, nodes)
	}
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		if in.Render == nil || !MayHold(cfg, n.env) {
			continue
		}
		objs := in.Render(n.env)
		s.Objects = objs
		for _, o := range objs {
			if expanderOf(o) == nil {
				continue
			}
			rendered[o.Ref().Key()+"@"+o.File] = true
			// Also as written without a namespace, which a kustomization
			// (a Flux targetNamespace) gives it.
			rendered[Ref{Kind: o.Kind, Name: o.Name}.Key()+"@"+o.File] = true
			if n.depth >= cfg.GitOps.Depth() {
				x := Expansion{}
				x.note(o, nil, "not followed: it is nested deeper than gitops.maxDepth (%d)", cfg.GitOps.Depth())
				n.notes = append(n.notes, x.Notes...)
				continue
			}
			nodes = expandObject(s, n, o, nodes)
		}
	}
	return finish(cfg, top, nodes, rendered)
}

// expandObject expands o, rendered by parent (top for the repository's
// files), and appends the new environments to nodes.
func expandObject(s *Scope, parent *node, o Object, nodes []*node) []*node {
	ex := expanderOf(o)
	if ex == nil {
		return nodes
	}
	x := ex.Expand(s, o)
	parent.notes = append(parent.notes, x.Notes...)
	followed := false
	for _, e := range x.Environments {
		key := e.RenderKey()
		if i := indexOf(parent.chain, key); i >= 0 {
			if i == len(parent.chain)-1 && sameOrigin(parent.env.From, e.From) {
				// The object is in its own rendering: it manages itself,
				// as flux bootstrap's Kustomization and a self-managed
				// root Application do. Not a cycle.
				followed = true
				continue
			}
			cycle := append(append([]string(nil), parent.names[i:]...), o.Ref().String())
			parent.notes = append(parent.notes, Note{Ref: o.Ref(), Line: o.Line, Message: "not followed: a cycle (" + strings.Join(cycle, " → ") + ")"})
			continue
		}
		followed = true
		if same(nodes, e, key) {
			continue
		}
		var from *node
		if parent.chain != nil {
			from = parent
		}
		nodes = append(nodes, &node{
			env: e, depth: parent.depth + 1, gitops: true, parent: from,
			chain: append(append([]string(nil), parent.chain...), key),
			names: append(append([]string(nil), parent.names...), o.Ref().String()),
		})
	}
	if followed {
		parent.followed = append(parent.followed, o.Ref())
	}
	return nodes
}

// same reports an environment of the same object with the same rendering
// already in nodes: found twice, in a file and in what renders the file,
// or by two parents.
func same(nodes []*node, e config.Environment, key string) bool {
	for _, n := range nodes {
		if n.gitops && n.env.RenderKey() == key && n.env.Namespace == e.Namespace && sameOrigin(n.env.From, e.From) && n.env.Name == e.Name {
			return true
		}
	}
	return false
}

// objectKey names the object an origin is: its kind, namespace and name.
func objectKey(o *config.Origin) string {
	return o.Kind + "/" + o.Namespace + "/" + o.Name
}

func sameOrigin(a, b *config.Origin) bool {
	return a != nil && b != nil && a.Kind == b.Kind && a.Namespace == b.Namespace && a.Name == b.Name
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// finish drops the discovered environments that GitOps environments
// replace, names the GitOps environments and files the notes under the
// final names.
func finish(cfg *config.Config, top *node, nodes []*node, rendered map[string]bool) Plan {
	p := Plan{Notes: map[string][]Note{}, Followed: map[string][]Ref{}}
	var kept []*node
	replaced := map[*node]*node{}
	includes := map[string]map[string]bool{}
	included := func(k *config.Kustomize) map[string]bool {
		if includes[k.Path] == nil {
			set := cfg.Includes(k.Path)
			if k.Flux != nil {
				// The kustomization Flux generates for a plain folder
				// lists the folders below it that hold kustomizations.
				for _, r := range k.Flux.Generated {
					if ext := path.Ext(r); ext != ".yaml" && ext != ".yml" {
						maps.Copy(set, cfg.Includes(path.Join(k.Path, r)))
					}
				}
			}
			includes[k.Path] = set
		}
		return includes[k.Path]
	}
	for _, n := range nodes {
		if !n.gitops && cfg.Discovered {
			if by := replacedBy(included, n.env, nodes); by != nil {
				replaced[n] = by
				reason := "deployed by " + by.env.From.String()
				if path.Clean(by.env.Path()) != path.Clean(n.env.Path()) {
					reason += " (it builds " + path.Clean(by.env.Path()) + ", which includes it)"
				}
				p.Replaced = append(p.Replaced, config.Skipped{Path: n.env.Origin, Reason: reason})
				continue
			}
		}
		kept = append(kept, n)
	}
	kept = dropSuperseded(kept, replaced)
	taken := map[string]bool{}
	for _, n := range kept {
		if !n.gitops {
			taken[n.env.Name] = true
		}
	}
	// The same object written in several folders (one per cluster) is
	// named by its folder: namespace/name would tell them apart by the
	// order they were found in, not by where they are. Where one folder
	// holds it twice, the folder tells nothing and the other names stand.
	defined, inFolder := map[string]int{}, map[string]int{}
	for _, n := range kept {
		if n.gitops && n.env.From != nil {
			defined[objectKey(n.env.From)]++
			inFolder[objectKey(n.env.From)+"@"+path.Dir(n.env.From.File)]++
		}
	}
	for _, n := range kept {
		if n.gitops {
			o := n.env.From
			byFolder := o != nil && defined[objectKey(o)] > 1 && inFolder[objectKey(o)+"@"+path.Dir(o.File)] == 1
			n.env.Name = freeName(n.env, taken, byFolder)
			taken[n.env.Name] = true
		}
	}
	for _, n := range kept {
		if n.gitops {
			p.Environments = append(p.Environments, nested(n, replaced))
		}
		if len(n.notes) > 0 {
			p.Notes[n.env.Name] = append(p.Notes[n.env.Name], n.notes...)
		}
		if len(n.followed) > 0 {
			p.Followed[n.env.Name] = append(p.Followed[n.env.Name], n.followed...)
		}
	}
	for _, note := range top.notes {
		if !rendered[note.Ref.Key()+"@"+note.Ref.File] {
			p.Unrendered = append(p.Unrendered, note)
		}
	}
	return p
}

// dropSuperseded drops the environments of a GitOps object that a truer
// one of the same written object stands for, with the environments their
// renderings hold. An object is deployed as the environment that renders
// it makes it (its namespace, a parent Kustomization's patches), not as
// its file alone; and rendered by an environment that is deployed, not by
// a discovered one that a GitOps environment replaces. Renderings of the
// same truth that differ (two clusters' substitutions) all stay.
func dropSuperseded(nodes []*node, replaced map[*node]*node) []*node {
	truth := func(n *node) int {
		switch {
		case n.parent == nil:
			return 0 // the file alone
		case replaced[n.parent] != nil:
			return 1 // by a discovered environment that is not deployed
		}
		return 2
	}
	written := func(o *config.Origin) string { return fmt.Sprintf("%s/%s@%s:%d", o.Kind, o.Name, o.File, o.Line) }
	best := map[string]int{}
	for _, n := range nodes {
		if n.gitops && n.env.From != nil {
			best[written(n.env.From)] = max(best[written(n.env.From)], truth(n))
		}
	}
	dropped := map[*node]bool{}
	var out []*node
	for _, n := range nodes {
		if (n.parent != nil && dropped[n.parent]) || (n.gitops && n.env.From != nil && truth(n) < best[written(n.env.From)]) {
			dropped[n] = true
			continue
		}
		out = append(out, n)
	}
	return out
}

// nested is the environment of n, with the environment whose rendering
// holds its object: the listing names it, and --changed-since counts its
// inputs too. A discovered parent that a GitOps environment replaces is
// named by its file in the listing, and stands for the replacing one.
func nested(n *node, replaced map[*node]*node) config.Environment {
	e := n.env
	parent := n.parent
	if parent == nil {
		return e
	}
	via, shown := parent.env.Name, parent.env.Name
	if by := replaced[parent]; by != nil {
		via, shown = by.env.Name, parent.env.Origin
	}
	e.Origin += " (rendered by " + shown + ")"
	from := *e.From
	from.Via = via
	e.From = &from
	return e
}

// replacedBy is the GitOps environment that renders the chart or
// kustomization a discovered environment renders with its defaults: that
// is how it is deployed. Values variants stay. A discovered kustomization
// that a GitOps environment's kustomization includes (a base with a
// namespace of its own, which discovery keeps as deployable alone) is
// deployed through it, not alone. included(k) is the kustomization
// folders k builds (config.Includes, and those of the kustomization Flux
// generates).
func replacedBy(included func(k *config.Kustomize) map[string]bool, e config.Environment, nodes []*node) *node {
	if e.Helm != nil && len(e.Helm.Values) > 0 {
		return nil
	}
	for _, n := range nodes {
		if n.gitops && sameSource(n.env, e) && path.Clean(n.env.Path()) == path.Clean(e.Path()) {
			return n
		}
	}
	if e.Kustomize == nil {
		return nil
	}
	for _, n := range nodes {
		if n.gitops && n.env.Kustomize != nil && included(n.env.Kustomize)[path.Clean(e.Kustomize.Path)] {
			return n
		}
	}
	return nil
}

// sameSource reports whether the GitOps environment g renders the way the
// discovered e does: the same source, or a Flux Kustomization of a plain
// folder, which Flux builds with the kustomization it generates, for a
// discovered folder of manifests.
func sameSource(g, e config.Environment) bool {
	if g.Kustomize != nil && g.Kustomize.Flux != nil && g.Kustomize.Flux.Generated != nil && e.Manifests != nil {
		return true
	}
	return g.Source() == e.Source()
}

// freeName is the first of the names e may go by that no other
// environment has: its object's name, namespace/name, Kind/namespace/name,
// then that with the file and line of the object. An object defined in
// several folders goes by name@folder of its file first (byFolder).
func freeName(e config.Environment, taken map[string]bool, byFolder bool) string {
	o := e.From
	cands := []string{e.Name}
	if o != nil {
		if byFolder {
			cands = []string{e.Name + "@" + path.Dir(o.File)}
		} else if o.Namespace != "" {
			cands = append(cands, o.Namespace+"/"+e.Name)
		}
		cands = append(cands, o.Kind+"/"+o.Namespace+"/"+e.Name, fmt.Sprintf("%s/%s/%s@%s:%d", o.Kind, o.Namespace, e.Name, o.File, o.Line))
	}
	for _, c := range cands {
		if !taken[c] {
			return c
		}
	}
	last := cands[len(cands)-1]
	for i := 2; ; i++ {
		if c := fmt.Sprintf("%s#%d", last, i); !taken[c] {
			return c
		}
	}
}
