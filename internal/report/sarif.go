package report

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshgate/meshgate/internal/check"
	"github.com/meshgate/meshgate/internal/finding"
)

// SARIF constants: the schema GitHub code scanning and Microsoft's validator
// accept, and where users learn about the tool.
const (
	sarifSchema         = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion        = "2.1.0"
	sarifInformationURI = "https://github.com/meshgate/meshgate"
	// sarifSrcRoot is the conventional base id for the checkout root; every
	// uri is relative to it.
	sarifSrcRoot = "%SRCROOT%"
	// sarifFingerprint versions the partial fingerprint so a future change
	// of the hash is a new key, not a silent mismatch.
	sarifFingerprint = "meshgate/v1"
	// defaultConfigFile locates findings that name no file and no
	// environment path.
	defaultConfigFile = ".meshgate.yaml"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Properties carry each environment's mesh coverage (a SARIF property
	// bag: viewers that do not know it ignore it).
	Properties *sarifRunProps `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type sarifResultProps struct {
	Environment string `json:"environment"`
	Policy      string `json:"policy,omitempty"`
	New         *bool  `json:"new,omitempty"`
	// FileInArchive and LineInArchive say where in the chart archive that
	// is the result's artifact the finding is (finding.SplitArchive).
	FileInArchive string `json:"fileInArchive,omitempty"`
	LineInArchive int    `json:"lineInArchive,omitempty"`
}

// SARIF writes a SARIF 2.1.0 log with one run: every rule meshgate has, and
// one result per finding. Exempted findings are results with a suppression
// carrying the exemption's reason, so code scanning records them without
// alerting: "inSource" for the meshgate.io/ignore annotation written in the
// manifest, "external" for an ignore: entry of the config file (SARIF
// 2.1.0 §3.34.3).
func SARIF(w io.Writer, r Report, o Options) error {
	r = normalized(r)
	envPath := map[string]string{}
	for _, e := range r.Environments {
		envPath[e.Name] = e.Path
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "meshgate",
			Version:        toolVersion(r, o),
			InformationURI: sarifInformationURI,
			Rules:          sarifRules(),
		}},
		Results: []sarifResult{},
	}
	run.Properties = sarifCoverage(r)
	for _, f := range r.Findings {
		run.Results = append(run.Results, sarifResultOf(f, envPath[f.Environment]))
	}
	for _, f := range r.Ignored {
		res := sarifResultOf(f, envPath[f.Environment])
		res.Suppressions = []sarifSuppress{{Kind: sarifSuppressionKind(f), Justification: f.Reason}}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifSuppressionKind is "inSource" for an exemption written in the
// manifest, "external" otherwise (the config file, or a report that does
// not say).
func sarifSuppressionKind(f finding.Finding) string {
	if f.Exemption == finding.ExemptionInline {
		return "inSource"
	}
	return "external"
}

func sarifRules() []sarifRule {
	out := make([]sarifRule, 0, len(check.Rules))
	for _, ri := range check.Rules {
		description, why, fix := finding.Sentence(ri.Description), finding.Sentence(ri.Why), finding.Sentence(ri.Fix)
		out = append(out, sarifRule{
			ID:               ri.ID,
			Name:             pascalCase(ri.ID),
			ShortDescription: sarifText{Text: description},
			FullDescription:  sarifText{Text: description + " " + why},
			Help: sarifHelp{
				Text:     "Why it matters: " + why + " How to fix: " + fix + " Example finding: " + ri.Example,
				Markdown: "**Why it matters:** " + why + "\n\n**How to fix:** " + fix + "\n\nExample finding:\n\n```text\n" + ri.Example + "\n```",
			},
			DefaultConfiguration: sarifConfiguration{Level: Style(ri.Severity).SARIF},
			Properties:           sarifRuleProps{Tags: []string{"kubernetes", ri.Category}},
		})
	}
	return out
}

func sarifResultOf(f finding.Finding, envPath string) sarifResult {
	file, line, text := Annotation(f)
	res := sarifResult{
		RuleID:     f.Rule,
		Level:      Style(f.Severity).SARIF,
		Message:    sarifText{Text: finding.Sentence("[" + f.Environment + "] " + text)},
		Properties: sarifResultProps{Environment: f.Environment, Policy: f.Policy, New: f.New},
	}
	if _, inner, ok := finding.SplitArchive(f.File); ok {
		// A file inside an archive is no artifact code scanning can show:
		// the archive is, at its first line (a region is required), and
		// the message and properties say where inside it.
		res.Properties.FileInArchive, res.Properties.LineInArchive = inner, f.Line
	}
	if i := check.RuleIndex(f.Rule); i >= 0 {
		res.RuleIndex = &i
	}
	if file == "" {
		file, line = envPath, 1
		if file == "" {
			file = defaultConfigFile
		}
	}
	loc := sarifLocation{PhysicalLocation: sarifPhysical{
		ArtifactLocation: sarifArtifact{URI: fileURI(file), URIBaseID: sarifSrcRoot},
		Region:           sarifRegion{StartLine: max(1, line)},
	}}
	if f.Kind != "" {
		loc.LogicalLocations = []sarifLogical{{Name: f.Name, FullyQualifiedName: f.WorkloadID(), Kind: "resource"}}
	}
	res.Locations = []sarifLocation{loc}
	if f.Fingerprint != "" {
		res.PartialFingerprints = map[string]string{sarifFingerprint: f.Fingerprint}
	}
	return res
}

// fileURI is a repo-relative path as a relative URI reference (spaces and
// other reserved characters percent-encoded).
func fileURI(p string) string {
	return (&url.URL{Path: strings.TrimPrefix(p, "./")}).String()
}

// pascalCase turns "mesh-injection" into "MeshInjection", SARIF's
// convention for a rule's name.
func pascalCase(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		r, n := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[n:])
	}
	return b.String()
}
