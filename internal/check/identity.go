package check

import "strings"

// WorkloadRef is a workload of one environment as the cross-environment
// identity sees it: its kind, its name and the source file that defines
// it ("" when not known).
type WorkloadRef struct {
	Env, Kind, Name, File string
}

// WorkloadKeys finds each workload in the other environments: the key of
// refs[i] is shared by the same workload in every environment. The same
// workload is the one of the same kind rendered from the same source file;
// where one file renders several workloads of a kind in an environment,
// or the file is not known, the one of the same kind and name once the
// environment's name is set aside as a prefix or suffix (shop-prod-cart
// and shop-staging-cart). The namespace plays no part. A key that two
// workloads of one environment share identifies nothing: callers skip
// those (Duplicated).
func WorkloadKeys(refs []WorkloadRef) []string {
	perFile := map[string]int{} // env, kind and file → workloads
	for _, w := range refs {
		perFile[w.Env+"\x00"+w.Kind+"\x00"+w.File]++
	}
	ambiguous := map[string]bool{}
	for k, n := range perFile {
		if _, kf, _ := strings.Cut(k, "\x00"); n > 1 {
			ambiguous[kf] = true
		}
	}
	keys := make([]string, len(refs))
	for i, w := range refs {
		key := w.Kind + "\x00" + w.File
		if w.File == "" || ambiguous[key] {
			key += "\x00" + StripEnv(w.Name, w.Env)
		}
		keys[i] = key
	}
	return keys
}

// Duplicated returns the keys (of WorkloadKeys) that two workloads of one
// environment share.
func Duplicated(refs []WorkloadRef, keys []string) map[string]bool {
	seen := map[string]bool{}
	dup := map[string]bool{}
	for i, w := range refs {
		k := w.Env + "\x00" + keys[i]
		if seen[k] {
			dup[keys[i]] = true
		}
		seen[k] = true
	}
	return dup
}

// StripEnv sets the environment's name aside from a workload's name: as a
// prefix or suffix joined by '-' or '.', also its last path element
// (charts/shop/prod → prod).
func StripEnv(name, env string) string {
	toks := []string{env}
	if i := strings.LastIndex(env, "/"); i >= 0 {
		toks = append(toks, env[i+1:])
	}
	for _, t := range toks {
		for _, sep := range []string{"-", "."} {
			if s, ok := strings.CutPrefix(name, t+sep); ok && s != "" {
				return s
			}
			if s, ok := strings.CutSuffix(name, sep+t); ok && s != "" {
				return s
			}
			name = strings.ReplaceAll(name, sep+t+sep, sep)
		}
	}
	return name
}
