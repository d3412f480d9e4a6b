package gitops

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Spec is the object's spec, nil when it has none.
func (o *Object) Spec() map[string]any { return sub(o.Body, "spec") }

// FluxRepo is what the Flux expanders need of the repository.
type FluxRepo interface {
	// Find is the object of kind in namespace named name, nil when the
	// repository holds none.
	Find(kind, namespace, name string) *Object
	// ThisRepository reports whether a Git URL is this repository.
	ThisRepository(url string) bool
	// All are the objects of kind in the repository.
	All(kind string) []*Object
}

// FluxSourceRef is a reference to a Flux source: sourceRef, chartRef.
type FluxSourceRef struct{ Kind, Namespace, Name string }

func (r FluxSourceRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// readSourceRef reads a reference at m, its namespace defaulting to ns.
func readSourceRef(m map[string]any, ns, field string) (FluxSourceRef, error) {
	r := FluxSourceRef{Kind: str(m, "kind"), Name: str(m, "name"), Namespace: str(m, "namespace")}
	if r.Kind == "" || r.Name == "" {
		return r, fmt.Errorf("%s: want a kind and a name", field)
	}
	if r.Namespace == "" {
		r.Namespace = ns
	}
	return r, nil
}

// FluxSource is a Flux source whose files are this repository's: a
// GitRepository of this repository, or an artifact an ArtifactGenerator
// copies from one without reshaping it.
type FluxSource struct {
	// Describe names the source for the environment listing.
	Describe string
	// Ignore is the GitRepository's spec.ignore.
	Ignore string
	// A path of the source is the repository path with prefix repo
	// instead of prefix src (both "" for a GitRepository).
	src, repo string
	// dirs are the folders of the source that hold files (nil: all).
	dirs []string
	// Revision is the revision a GitRepository of this repository
	// follows when it names one ("branch dev-team"), "" when not: the
	// checkout stands for it either way.
	Revision string
}

// RepoPath is the repository path (slash-separated, cleaned, "." for the
// root) of p, a path of the source. As kustomize-controller joins it
// (securejoin), a path cannot leave the source: ".." stops at its root.
// ok is false when the source holds nothing at p.
func (s *FluxSource) RepoPath(p string) (string, bool) {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if s.dirs != nil && !slices.ContainsFunc(s.dirs, func(d string) bool { return within(p, d) }) {
		return "", false
	}
	if s.src != "" {
		if p != s.src && !strings.HasPrefix(p, s.src+"/") {
			return "", false
		}
		p = strings.TrimPrefix(strings.TrimPrefix(p, s.src), "/")
	}
	p = path.Join(s.repo, p)
	if p == "" {
		p = "."
	}
	return p, true
}

// fluxBootstrap is the GitRepository `flux bootstrap` creates for the
// repository it bootstraps (its gotk-sync.yaml), often not committed.
const fluxBootstrap = "flux-system"

// ResolveFluxSource resolves a source reference to this repository's
// files, or says why it is not followed. spec.ref of a GitRepository is
// not read: the working tree is the revision under review.
func ResolveFluxSource(repo FluxRepo, ref FluxSourceRef) (*FluxSource, string) {
	switch ref.Kind {
	case "GitRepository":
		return resolveGitRepository(repo, ref)
	case "ExternalArtifact":
		return resolveExternalArtifact(repo, ref)
	case "OCIRepository", "Bucket", "HelmChart":
		what := ref.String()
		if obj := repo.Find(ref.Kind, ref.Namespace, ref.Name); obj != nil {
			if u := str(obj.Spec(), "url"); u != "" {
				what += " (" + u + ")"
			}
			if obj.Kind == "Bucket" {
				what += " (bucket " + str(obj.Spec(), "bucketName") + ")"
			}
		}
		return nil, "its source " + what + " is not fetched"
	}
	return nil, "its source kind " + ref.Kind + " is not one meshgate knows"
}

func resolveGitRepository(repo FluxRepo, ref FluxSourceRef) (*FluxSource, string) {
	obj := repo.Find("GitRepository", ref.Namespace, ref.Name)
	if obj == nil {
		if ref.Namespace == fluxBootstrap && ref.Name == fluxBootstrap {
			return &FluxSource{Describe: ref.String() + " (flux bootstrap's: this repository)"}, ""
		}
		return nil, "its source " + ref.String() + " is not in the repository"
	}
	u := str(obj.Spec(), "url")
	if !repo.ThisRepository(u) {
		return nil, fmt.Sprintf("its source %s (%s) is %s, not this repository: not followed", ref, obj.File, u)
	}
	return &FluxSource{Describe: ref.String(), Ignore: str(obj.Spec(), "ignore"), Revision: gitRevision(obj.Spec())}, ""
}

// gitRevision is the revision a GitRepository's spec.ref names, as Flux
// reads it (commit, then name, semver, tag, branch), "" when none.
func gitRevision(spec map[string]any) string {
	ref, _ := spec["ref"].(map[string]any)
	for _, k := range []string{"commit", "name", "semver", "tag", "branch"} {
		if v := str(ref, k); v != "" {
			return k + " " + v
		}
	}
	return ""
}

// within reports whether p is dir or under it ("" is the root).
func within(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// resolveExternalArtifact follows an ExternalArtifact to the
// ArtifactGenerator (source.extensions.fluxcd.io) that makes it, when that
// copies folders of a GitRepository of this repository without reshaping
// them: every copy of the artifact moves its folder by the same prefix
// ("@repo/apps/base/**" to "@artifact/base/" and "@repo/apps/prod/**" to
// "@artifact/prod/"), so that a path of the artifact, and the relative
// references of what is there, are the same files in the repository.
func resolveExternalArtifact(repo FluxRepo, ref FluxSourceRef) (*FluxSource, string) {
	for _, gen := range repo.All("ArtifactGenerator") {
		if gen.Namespace != ref.Namespace {
			continue
		}
		arts, err := readList(gen.Spec(), "artifacts", "spec.artifacts")
		if err != nil {
			return nil, fmt.Sprintf("its source %s comes from %s (%s), which does not read: %v", ref, gen.Ref().String(), gen.File, err)
		}
		for _, art := range arts {
			if str(art, "name") != ref.Name {
				continue
			}
			src, why := generatedSource(repo, gen, art)
			if src == nil {
				return nil, fmt.Sprintf("its source %s comes from %s (%s), which %s", ref, gen.Ref().String(), gen.File, why)
			}
			src.Describe = fmt.Sprintf("%s of %s", ref, gen.Ref().String())
			return src, ""
		}
	}
	return nil, "its source " + ref.String() + " is made by no ArtifactGenerator in the repository"
}

// generatedSource is the source an artifact of gen is, or why it cannot
// be followed.
func generatedSource(repo FluxRepo, gen *Object, art map[string]any) (*FluxSource, string) {
	if str(gen.Spec(), "pathPattern") != "" {
		return nil, "generates artifacts by pathPattern, which meshgate does not expand"
	}
	sources, err := readList(gen.Spec(), "sources", "spec.sources")
	if err != nil {
		return nil, "does not read: " + err.Error()
	}
	aliases := map[string]*FluxSource{}
	for _, s := range sources {
		ref := FluxSourceRef{Kind: str(s, "kind"), Name: str(s, "name"), Namespace: cmp.Or(str(s, "namespace"), gen.Namespace)}
		if ref.Kind != "GitRepository" {
			continue
		}
		if src, _ := resolveGitRepository(repo, ref); src != nil {
			aliases[str(s, "alias")] = src
		}
	}
	copies, err := readList(art, "copy", "copy")
	if err != nil {
		return nil, "does not read: " + err.Error()
	}
	var out *FluxSource
	for _, c := range copies {
		alias, from, ok := strings.Cut(strings.TrimPrefix(str(c, "from"), "@"), "/")
		git := aliases[alias]
		if !ok || git == nil {
			return nil, fmt.Sprintf("copies %q, not from a GitRepository of this repository", str(c, "from"))
		}
		src, dst, ok := folderCopy(from, str(c, "to"), str(c, "strategy"))
		if !ok {
			return nil, fmt.Sprintf("copies %q to %q, which reshapes the files (meshgate follows folder copies only)", str(c, "from"), str(c, "to"))
		}
		repoPrefix, artPrefix := commonSuffixCut(src, dst)
		if out == nil {
			out = &FluxSource{Ignore: git.Ignore, src: artPrefix, repo: repoPrefix}
		} else if out.src != artPrefix || out.repo != repoPrefix {
			return nil, "copies folders to different places, which reshapes the repository (meshgate follows copies that keep the folders' relative places only)"
		}
		out.dirs = append(out.dirs, dst)
	}
	if out == nil {
		return nil, "copies nothing"
	}
	return out, ""
}

// folderCopy reads a copy of a folder: from "dir/**" (its contents) or
// "dir/" (the folder itself) to "@artifact/dest/", with the Overwrite
// strategy. src is the repository folder, dst the folder of the artifact
// that holds the same files.
func folderCopy(from, to, strategy string) (src, dst string, ok bool) {
	dest, ok := strings.CutPrefix(to, "@artifact/")
	if !ok || strategy != "" && strategy != "Overwrite" || !strings.HasSuffix(to, "/") {
		return "", "", false
	}
	dest = strings.Trim(dest, "/")
	switch {
	case from == "**":
		return "", dest, true
	case strings.HasSuffix(from, "/**") && !strings.ContainsAny(strings.TrimSuffix(from, "/**"), "*?[{"):
		return strings.Trim(strings.TrimSuffix(from, "/**"), "/"), dest, true
	case strings.HasSuffix(from, "/") && !strings.ContainsAny(from, "*?[{"):
		dir := strings.Trim(from, "/")
		return dir, path.Join(dest, path.Base(dir)), true
	}
	return "", "", false
}

// commonSuffixCut removes the path segments a and b end with in common,
// returning what is left of each: the prefixes that map one onto the
// other.
func commonSuffixCut(a, b string) (string, string) {
	as, bs := segments(a), segments(b)
	for len(as) > 0 && len(bs) > 0 && as[len(as)-1] == bs[len(bs)-1] {
		as, bs = as[:len(as)-1], bs[:len(bs)-1]
	}
	return strings.Join(as, "/"), strings.Join(bs, "/")
}

func segments(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// readDependsOn reads spec.dependsOn as "namespace/name", a namespace
// defaulting to ns.
func readDependsOn(spec map[string]any, ns string) ([]string, error) {
	deps, err := readList(spec, "dependsOn", "spec.dependsOn")
	var out []string
	for _, d := range deps {
		out = append(out, cmp.Or(str(d, "namespace"), ns)+"/"+str(d, "name"))
	}
	return out, err
}
