package check

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/config"
	"github.com/meshgate/meshgate/internal/finding"
	"github.com/meshgate/meshgate/internal/manifest"
)

// driftNamesShown is how many carriers a message names.
const driftNamesShown = 3

// driftPeer is one peer that carries a setting: its name in messages and
// the value it uses.
type driftPeer struct {
	name, value string
}

// driftGap is a setting a workload lacks and its peers carry.
type driftGap struct {
	setting  string
	carriers []driftPeer
	of       int
}

// driftSiblingFindings compares the workloads of one environment that share
// a namespace and a class: a setting that a quorum of the meshed ones
// carries, and at least drift.minGroup of them, is drift on the others.
func driftSiblingFindings(in Input, p *DriftProfile, rep driftReported) []finding.Finding {
	dr := in.Config.Drift
	if !dr.SiblingsOn() || !p.Decided {
		return nil
	}
	groups := map[string][]*DriftWorkload{}
	var order []string
	for _, w := range p.Workloads {
		k := w.Namespace + "\x00" + w.Class
		if groups[k] == nil {
			order = append(order, k)
		}
		groups[k] = append(groups[k], w)
	}
	var out []finding.Finding
	for _, k := range order {
		g := groups[k]
		if len(g) <= dr.MinGroupValue() {
			continue
		}
		for _, w := range g {
			for _, gap := range driftGaps(dr, w, g, func(o *DriftWorkload) string { return o.Kind + " " + o.Name }) {
				if rep.has(w.ID, gap.setting) {
					continue
				}
				where := fmt.Sprintf("%s workloads in namespace %s", w.Class, w.Namespace)
				if gap.setting != DriftMeshed {
					where = "meshed " + where
				}
				out = append(out, w.driftFinding(p.Env, DriftSiblings, gap, where))
			}
		}
	}
	return out
}

// driftGaps are the settings w lacks that a quorum of peers carries (w is
// one of peers or not), with at least minGroup carriers; name names a
// carrier in messages.
func driftGaps(dr config.Drift, w *DriftWorkload, peers []*DriftWorkload, name func(*DriftWorkload) string) []driftGap {
	return driftGapsMin(dr, w, peers, name, dr.MinGroupValue(), 1)
}

// driftGapsMin is driftGaps with the minimum number of carriers given, and
// self 1 when w counts in the quorum's base (siblings), 0 when not
// (environments: the others decide).
func driftGapsMin(dr config.Drift, w *DriftWorkload, peers []*DriftWorkload, name func(*DriftWorkload) string, minCarriers, self int) []driftGap {
	candidates := map[string]bool{}
	for _, o := range peers {
		if o == w {
			continue
		}
		for s := range o.Settings {
			if _, ok := w.Settings[s]; !ok {
				candidates[s] = true
			}
		}
	}
	var gaps []driftGap
	for _, s := range slices.Sorted(maps.Keys(candidates)) {
		if s != DriftMeshed && !w.Meshed {
			continue
		}
		if _, known := w.carries(s); !known {
			continue
		}
		if parent := driftParent(s); parent != "" {
			if _, ok := w.Settings[parent]; !ok {
				// The whole annotation is missing: that is the gap.
				continue
			}
		}
		var carriers []driftPeer
		of := self
		for _, o := range peers {
			if o == w || (s != DriftMeshed && !o.Meshed) {
				continue
			}
			has, known := o.carries(s)
			if !known {
				continue
			}
			of++
			if has {
				carriers = append(carriers, driftPeer{name: name(o), value: o.Settings[s]})
			}
		}
		if len(carriers) < minCarriers || float64(len(carriers)) < dr.QuorumValue()*float64(of)-1e-9 {
			continue
		}
		gaps = append(gaps, driftGap{setting: s, carriers: carriers, of: of})
	}
	return gaps
}

// driftFinding is the mesh-drift finding for a gap; where says who the
// peers are.
func (dw *DriftWorkload) driftFinding(env, axis string, gap driftGap, where string) finding.Finding {
	var names []string
	for _, c := range gap.carriers {
		names = append(names, c.name)
	}
	slices.Sort(names)
	shown := names
	if len(shown) > driftNamesShown {
		shown = append(slices.Clone(shown[:driftNamesShown]), fmt.Sprintf("%d more", len(names)-driftNamesShown))
	}
	value := driftMostUsed(gap.carriers)
	msg := fmt.Sprintf("%s is missing: %d of the %d %s carry it (%s)",
		driftPhrase(gap.setting), len(gap.carriers), gap.of, where, strings.Join(shown, ", "))
	if value != "" && gap.setting != DriftMeshed {
		msg += fmt.Sprintf("; most use %s", meshQuotePrefix(value))
	}
	ev := &finding.Evidence{Axis: axis, Setting: gap.setting, Carriers: len(gap.carriers), Of: gap.of, Peers: names, Value: value}
	return dw.newDriftFinding(env, gap.setting, msg, ev)
}

func (dw *DriftWorkload) newDriftFinding(env, setting, msg string, ev *finding.Evidence) finding.Finding {
	f := finding.Finding{
		Rule:        finding.RuleMeshDrift,
		Severity:    finding.SeverityWarning,
		Environment: env,
		Kind:        dw.Kind,
		Namespace:   dw.Namespace,
		Name:        dw.Name,
		Container:   dw.driftContainer(setting),
		Message:     msg,
		File:        dw.File,
		Line:        dw.driftLine(setting),
		Subject:     "drift:" + setting,
		Evidence:    ev,
	}
	if ev != nil {
		f.Remedy = dw.anchors.remedy(setting, ev.Value)
	}
	if setting == DriftMeshed {
		f.Line = dw.stub.Line
	}
	f.SetFingerprint()
	return f
}

// driftMostUsed is the value most carriers use; ties go to the smallest.
func driftMostUsed(peers []driftPeer) string {
	count := map[string]int{}
	best := ""
	for _, p := range peers {
		count[p.value]++
	}
	for _, v := range slices.Sorted(maps.Keys(count)) {
		if count[v] > count[best] || best == "" && v != "" && count[v] >= count[best] {
			best = v
		}
	}
	return best
}

// DriftAcross compares each workload with itself in the other environments
// (see driftIdentities): a setting that at least two of them carry, and a
// quorum of them, is drift where it is missing. A setting that no
// workload of the environment carries, while two or more would be found
// lacking it, is the environment's choice (a component or a values file
// it does not use), not an odd one out, and is not reported. reported
// holds each environment's findings and exemptions so far, so that what
// another rule (or another axis) reports is not repeated. The result is
// by environment, exemptions applied.
func DriftAcross(cfg *config.Config, today time.Time, profiles []*DriftProfile, reported map[string][]finding.Finding) (findings, ignored map[string][]finding.Finding) {
	findings, ignored = map[string][]finding.Finding{}, map[string][]finding.Finding{}
	if cfg == nil || !cfg.Drift.EnvironmentsOn() {
		return findings, ignored
	}
	same, envOf := driftIdentities(profiles)
	for _, p := range profiles {
		rep := driftReportedOf(reported[p.Env])
		var out []finding.Finding
		// elsewhere: the workloads of p that lack a setting some other
		// environment's same workload carries.
		elsewhere := map[string][]*DriftWorkload{}
		for _, w := range p.Workloads {
			peers := same[w]
			if len(peers) < 3 {
				continue
			}
			for _, o := range peers {
				for st := range o.Settings {
					if _, ok := w.Settings[st]; !ok && o != w {
						elsewhere[st] = append(elsewhere[st], w)
					}
				}
			}
			for _, gap := range driftGapsMin(cfg.Drift, w, peers, func(o *DriftWorkload) string { return envOf[o] }, driftMinEnvironments, 0) {
				if rep.has(w.ID, gap.setting) || driftFingerprintKnown(reported[p.Env], w, p.Env, gap.setting) {
					continue
				}
				where := "other environments that render this " + w.Kind
				out = append(out, w.driftFinding(p.Env, DriftEnvironments, gap, where))
			}
		}
		out = slices.DeleteFunc(out, func(f finding.Finding) bool {
			s := f.Evidence.Setting
			return len(slices.Compact(elsewhere[s])) > 1 && !p.carried(s)
		})
		findings[p.Env], ignored[p.Env] = ExemptDrift(cfg, today, p, out, reported[p.Env])
	}
	return findings, ignored
}

// carried reports whether some workload of the environment carries the
// setting.
func (p *DriftProfile) carried(setting string) bool {
	return slices.ContainsFunc(p.Workloads, func(w *DriftWorkload) bool {
		_, ok := w.Settings[setting]
		return ok
	})
}

// driftMinEnvironments is how many other environments at least must carry
// a setting: with one, there is no telling which of two is the odd one.
const driftMinEnvironments = 2

// driftFingerprintKnown: the environment already has a mesh-drift finding
// (or exemption) for this workload and setting, from another axis.
func driftFingerprintKnown(fs []finding.Finding, w *DriftWorkload, env, setting string) bool {
	fp := finding.Fingerprint(finding.RuleMeshDrift, env, w.Kind, w.Namespace, w.Name, w.driftContainer(setting), "drift:"+setting)
	return slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Fingerprint == fp })
}

// driftIdentities finds each workload in the other environments (see
// WorkloadKeys). The workloads of every profile decide which files are
// ambiguous; those of decided profiles are compared. The peers of a
// workload include itself.
func driftIdentities(profiles []*DriftProfile) (peers map[*DriftWorkload][]*DriftWorkload, envOf map[*DriftWorkload]string) {
	var refs []WorkloadRef
	var ws []*DriftWorkload
	var decided []bool
	for _, p := range profiles {
		for _, w := range p.Workloads {
			refs = append(refs, WorkloadRef{Env: p.Env, Kind: w.Kind, Name: w.Name, File: w.File})
			ws = append(ws, w)
			decided = append(decided, p.Decided)
		}
	}
	keys := WorkloadKeys(refs)
	var dRefs []WorkloadRef
	var dKeys []string
	for i := range refs {
		if decided[i] {
			dRefs, dKeys = append(dRefs, refs[i]), append(dKeys, keys[i])
		}
	}
	dup := Duplicated(dRefs, dKeys)
	byKey := map[string][]*DriftWorkload{}
	envOf = map[*DriftWorkload]string{}
	for i, w := range ws {
		if !decided[i] {
			continue
		}
		byKey[keys[i]] = append(byKey[keys[i]], w)
		envOf[w] = refs[i].Env
	}
	peers = map[*DriftWorkload][]*DriftWorkload{}
	for key, group := range byKey {
		if dup[key] {
			continue
		}
		for _, w := range group {
			peers[w] = group
		}
	}
	return peers, envOf
}

// ExemptDrift applies exemptions to mesh-drift findings made after the
// environment's rendered set is gone (other environments, the base), with
// the inline exemption annotations the profile kept. An ignore-expired
// warning that the environment already has (same fingerprint in reported)
// is not repeated.
func ExemptDrift(cfg *config.Config, today time.Time, p *DriftProfile, fs []finding.Finding, reported []finding.Finding) (kept, ignored []finding.Finding) {
	if len(fs) == 0 {
		return nil, nil
	}
	set := &manifest.Set{}
	for _, w := range p.Workloads {
		set.Objects = append(set.Objects, w.stub.Object)
		set.Workloads = append(set.Workloads, w.stub)
	}
	kept, ignored = exempt(Input{Config: cfg, Env: config.Environment{Name: p.Env}, Set: set, Today: today}, fs)
	known := map[string]bool{}
	for _, f := range reported {
		known[f.Fingerprint] = true
	}
	out := kept[:0]
	for _, f := range kept {
		if f.Rule == finding.RuleIgnoreExpired && known[f.Fingerprint] {
			continue
		}
		out = append(out, f)
	}
	return out, ignored
}

// DriftSince compares an environment with its base: base maps each
// workload id to the settings it carried there ("meshed" among them when
// it was meshed). A workload that was meshed and is no longer, or lost a
// setting, is drift, marked new. reported as for DriftAcross.
func DriftSince(cfg *config.Config, today time.Time, p *DriftProfile, base map[string]map[string]string, reported []finding.Finding) (kept, ignored []finding.Finding) {
	if cfg == nil || !cfg.Drift.CommitsOn() || !p.Decided || base == nil {
		return nil, nil
	}
	rep := driftReportedOf(reported)
	var out []finding.Finding
	for _, w := range p.Workloads {
		had := base[w.ID]
		for _, s := range slices.Sorted(maps.Keys(had)) {
			if has, known := w.carries(s); has || !known || (s != DriftMeshed && !w.Meshed) || !driftIsSetting(cfg.Drift, s) {
				continue
			}
			if parent := driftParent(s); parent != "" {
				if _, ok := w.Settings[parent]; !ok {
					continue
				}
			}
			if rep.has(w.ID, s) || driftFingerprintKnown(reported, w, p.Env, s) {
				continue
			}
			msg := fmt.Sprintf("%s was there in the base and is missing now", driftPhrase(s))
			if s == DriftMeshed {
				msg = "the workload was meshed in the base and no longer gets the mesh dataplane"
			} else if v := had[s]; v != "" {
				msg += fmt.Sprintf(" (it was %s)", meshQuotePrefix(v))
			}
			ev := &finding.Evidence{Axis: DriftCommits, Setting: s, Carriers: 1, Of: 1, Peers: []string{"base"}, Value: had[s]}
			f := w.newDriftFinding(p.Env, s, msg, ev)
			isNew := true
			f.New = &isNew
			out = append(out, f)
		}
	}
	return ExemptDrift(cfg, today, p, out, reported)
}
