package check

// exempt applies config and inline exemptions and reports ignore-expired.
func exempt(in Input, fs []Finding) (kept, ignored []Finding) { return fs, nil }
