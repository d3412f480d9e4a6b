package check

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
	"github.com/meshgate/meshgate/internal/suggest"
)

// secretFindings: secret-missing and secret-key-missing. Every reference is
// resolved against the Secrets the environment produces in the reference's
// namespace and against secrets.external; key names may be printed, values
// never are (producers only carry key names).
func secretFindings(in Input) []finding.Finding {
	if in.Set == nil {
		return nil
	}
	var external []string
	checkKeys := true
	if in.Config != nil {
		external = in.Config.Secrets.External
		checkKeys = in.Config.Secrets.KeysChecked()
	}
	idx := secretIndexOf(in.Set.Producers)
	creators := secretIndexOf(in.Set.Creators)

	var out []finding.Finding
	seen := map[string]bool{}
	add := func(f finding.Finding) {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	for _, group := range secretRefGroups(in.Set.Refs) {
		ref := group[0]
		sev := finding.SeverityError
		if ref.Optional {
			sev = finding.SeverityNotice
		}
		producers := idx.resolve(ref)
		isExternal := secretExternal(external, ref)
		if len(producers) == 0 {
			if isExternal {
				continue
			}
			msg := secretMissingMessage(idx, ref)
			if cs := creators.resolve(ref); len(cs) > 0 {
				sev, msg = finding.SeverityNotice, secretCreatedMessage(ref, cs[0])
			}
			add(newFinding(in, finding.RuleSecretMissing, sev, ref.Object, ref.Container,
				secretSubject(ref), msg, ref.Path...))
			continue
		}
		if !checkKeys || isExternal {
			// Something outside the manifests also writes an external
			// Secret, so its keys cannot be known.
			continue
		}
		keys, known := secretUnionKeys(producers)
		if !known {
			continue
		}
		var missing []manifest.Ref
		for _, r := range group {
			if r.Key != "" && !keys[r.Key] {
				missing = append(missing, r)
			}
		}
		if len(missing) == 0 {
			continue
		}
		// The line of the first missing key when known (items[].key,
		// secretKeyRef.key).
		path := missing[0].Path
		if len(missing[0].KeyPath) > 0 {
			path = missing[0].KeyPath
		}
		f := newFinding(in, finding.RuleSecretKeyMissing, sev, ref.Object, ref.Container,
			secretKeysSubject(missing), secretKeyMessage(missing, keys), path...)
		if len(missing) == 1 {
			if near := suggest.Related(missing[0].Key, slices.Sorted(maps.Keys(keys))); near != "" {
				f.Remedy = remedyRename(missing[0], near)
			}
		}
		add(f)
	}
	return out
}

// secretRefGroups groups the references that are one gap: the items of one
// Secret volume name the same Secret at the same field, and a missing
// Secret or keys missing from it is one finding for all of them. Other
// references are groups of one; groups keep the order of their first
// reference.
func secretRefGroups(refs []manifest.Ref) [][]manifest.Ref {
	type groupKey struct {
		obj                        *manifest.Object
		container, where, ns, name string
		path                       string
		anyNamespace               bool
	}
	var out [][]manifest.Ref
	at := map[groupKey]int{}
	for _, ref := range refs {
		if ref.Object == nil || ref.Name == "" {
			continue
		}
		k := groupKey{ref.Object, ref.Container, ref.Where, ref.Namespace, ref.Name, fmt.Sprint(ref.Path...), ref.AnyNamespace}
		if i, ok := at[k]; ok && secretVerb(ref.Where) == "mounts" {
			out[i] = append(out[i], ref)
			continue
		}
		at[k] = len(out)
		out = append(out, []manifest.Ref{ref})
	}
	return out
}

// secretIndex holds producers by namespace and name.
type secretIndex struct {
	byName map[string]map[string][]manifest.Producer // name → namespace → producers
}

func secretIndexOf(ps []manifest.Producer) secretIndex {
	idx := secretIndex{byName: map[string]map[string][]manifest.Producer{}}
	for _, p := range ps {
		if idx.byName[p.Name] == nil {
			idx.byName[p.Name] = map[string][]manifest.Producer{}
		}
		idx.byName[p.Name][p.Namespace] = append(idx.byName[p.Name][p.Namespace], p)
	}
	return idx
}

// resolve returns the producers that satisfy ref.
func (idx secretIndex) resolve(ref manifest.Ref) []manifest.Producer {
	if !ref.AnyNamespace {
		return idx.byName[ref.Name][ref.Namespace]
	}
	var out []manifest.Producer
	for _, ns := range slices.Sorted(maps.Keys(idx.byName[ref.Name])) {
		out = append(out, idx.byName[ref.Name][ns]...)
	}
	return out
}

// secretExternal reports whether a secrets.external glob declares ref's
// Secret. A glob with a "/" matches namespace/name; for a reference that may
// resolve in any namespace only its name part has to match.
func secretExternal(globs []string, ref manifest.Ref) bool {
	for _, g := range globs {
		i := strings.LastIndex(g, "/")
		switch {
		case i < 0:
			if config.Glob(g, ref.Name) {
				return true
			}
		case ref.AnyNamespace:
			if config.Glob(g[i+1:], ref.Name) {
				return true
			}
		default:
			if config.Glob(g, ref.Namespace+"/"+ref.Name) {
				return true
			}
		}
	}
	return false
}

// secretUnionKeys unions the keys of several producers of one Secret (a
// Secret and an ExternalSecret writing the same name); one producer with
// unknown keys makes the union unknown.
func secretUnionKeys(ps []manifest.Producer) (map[string]bool, bool) {
	keys := map[string]bool{}
	for _, p := range ps {
		if !p.KeysKnown {
			return nil, false
		}
		for _, k := range p.Keys {
			keys[k] = true
		}
	}
	return keys, true
}

func secretSubject(ref manifest.Ref) string {
	return ref.Where + "|" + secretRefNamespace(ref) + "/" + ref.Name + "|" + ref.Key
}

func secretRefNamespace(ref manifest.Ref) string {
	if ref.AnyNamespace {
		return "*"
	}
	return ref.Namespace
}

// secretVerb makes "env X reads", "volume certs mounts", "imagePullSecrets
// names" from a reference's Where.
func secretVerb(where string) string {
	switch {
	case where == "envFrom" || strings.HasPrefix(where, "env ") || strings.HasPrefix(where, "envFrom "):
		return "reads"
	case strings.HasPrefix(where, "volume ") || strings.HasPrefix(where, "projected volume") ||
		strings.HasPrefix(where, "annotation sidecar.istio.io/userVolume"):
		return "mounts"
	}
	return "names"
}

func secretDisplay(ref manifest.Ref) string {
	if ref.AnyNamespace {
		return ref.Name
	}
	return ref.Namespace + "/" + ref.Name
}

func secretMissingMessage(idx secretIndex, ref manifest.Ref) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s Secret %s, which this environment does not produce", ref.Where, secretVerb(ref.Where), secretDisplay(ref))
	if ref.AnyNamespace {
		b.WriteString(" in any namespace")
	}
	var hints []string
	if !ref.AnyNamespace {
		var others []string
		for _, ns := range slices.Sorted(maps.Keys(idx.byName[ref.Name])) {
			if ns != ref.Namespace {
				others = append(others, ns)
			}
		}
		switch len(others) {
		case 0:
		case 1:
			hints = append(hints, "a Secret of that name is produced in namespace "+others[0])
		default:
			hints = append(hints, "a Secret of that name is produced in namespaces "+strings.Join(others, ", "))
		}
	}
	if s := secretSuggest(idx, ref); s != "" {
		hints = append(hints, fmt.Sprintf("did you mean %q?", s))
	}
	if len(hints) > 0 {
		b.WriteString(" (" + strings.Join(hints, "; ") + ")")
	}
	return b.String()
}

// secretKeysSubject is the subject of a secret-key-missing finding: the
// reference's, with every missing key.
func secretKeysSubject(missing []manifest.Ref) string {
	ref := missing[0]
	var ks []string
	for _, r := range missing {
		ks = append(ks, r.Key)
	}
	ref.Key = strings.Join(ks, ",")
	return secretSubject(ref)
}

// secretCreatedMessage explains a Secret no manifest produces but a
// workload of the environment evidently creates when it runs.
func secretCreatedMessage(ref manifest.Ref, creator manifest.Producer) string {
	return fmt.Sprintf("%s %s Secret %s, which is created at run time by %s: its command line or env names the Secret and its ServiceAccount may create Secrets",
		ref.Where, secretVerb(ref.Where), secretDisplay(ref), creator.Via)
}

func secretKeyMessage(missing []manifest.Ref, keys map[string]bool) string {
	ref := missing[0]
	names := slices.Sorted(maps.Keys(keys))
	var has string
	switch len(names) {
	case 0:
		has = "has no keys"
	case 1:
		has = "has key " + names[0]
	default:
		has = "has keys " + strings.Join(names, ", ")
	}
	if len(missing) == 1 {
		return fmt.Sprintf("%s %s key %q of Secret %s, which %s", ref.Where, secretVerb(ref.Where), ref.Key, secretDisplay(ref), has)
	}
	quoted := make([]string, len(missing))
	for i, r := range missing {
		quoted[i] = strconv.Quote(r.Key)
	}
	return fmt.Sprintf("%s %s keys %s of Secret %s, which %s", ref.Where, secretVerb(ref.Where), strings.Join(quoted, ", "), secretDisplay(ref), has)
}

// secretSuggest names the produced Secret the reference most likely meant:
// the same name with another (or without a) kustomize hash suffix, a name
// that extends it or that it extends by "-…", or one within two edits.
func secretSuggest(idx secretIndex, ref manifest.Ref) string {
	best, bestScore := "", 1<<30
	stem := secretStem(ref.Name)
	for _, name := range slices.Sorted(maps.Keys(idx.byName)) {
		if name == ref.Name {
			continue
		}
		if !ref.AnyNamespace && len(idx.byName[name][ref.Namespace]) == 0 {
			continue
		}
		score := -1
		switch {
		case secretStem(name) == stem:
			score = 0
		case strings.HasPrefix(name, ref.Name+"-") || strings.HasPrefix(ref.Name, name+"-"):
			score = 1
		default:
			if len(ref.Name) > 3 {
				if d := suggest.Distance(name, ref.Name); d <= 2 {
					score = 1 + d
				}
			}
		}
		if score >= 0 && score < bestScore {
			best, bestScore = name, score
		}
	}
	return best
}

// secretHashAlphabet is the alphabet of kustomize's 10-character name hash
// suffix (hex digits with 0, 1, 3, a and e replaced to avoid words).
const secretHashAlphabet = "2456789bcdfghkmt"

// secretStem strips a kustomize generator hash suffix ("-5g2h6k8m9t").
func secretStem(name string) string {
	const n = 10
	if len(name) <= n+1 || name[len(name)-n-1] != '-' {
		return name
	}
	for _, c := range name[len(name)-n:] {
		if !strings.ContainsRune(secretHashAlphabet, c) {
			return name
		}
	}
	return name[:len(name)-n-1]
}
