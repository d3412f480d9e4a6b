package check

// secretFindings: secret-missing and secret-key-missing.
func secretFindings(in Input) []Finding { return nil }
