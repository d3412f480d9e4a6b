package check

// meshFindings: mesh-injection, mesh-annotation, mesh-env, mesh-job-sidecar
// and the config rules: entries.
func meshFindings(in Input) []Finding { return nil }
