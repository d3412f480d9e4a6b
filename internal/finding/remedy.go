package finding

// Suggestion replaces lines StartLine..EndLine (1-based, inclusive) of
// File with Replacement, as a GitHub suggested change does: whole lines.
type Suggestion struct {
	File      string `json:"file"`
	StartLine int    `json:"startLine"`
	EndLine   int    `json:"endLine"`
	// Replacement is the new text of those lines, each line ending in
	// "\n"; "" deletes them.
	Replacement string `json:"replacement"`
	// Title says what the edit does ("move sidecar.istio.io/inject to
	// spec.template.metadata.labels").
	Title string `json:"title"`
}

// Remedy operations.
const (
	// RemedySet gives the map At (labels or annotations) the entry
	// Key: Value, replacing the value of an existing entry.
	RemedySet = "set"
	// RemedyMove moves the entry at line At (an annotation) to the map To
	// (the labels), keeping its value.
	RemedyMove = "move"
	// RemedyAddEnv adds env var Key to the container item at At: a copy of
	// the env item at line Copy when there is one, else with Value.
	RemedyAddEnv = "add-env"
	// RemedyRename replaces the scalar Old on line At with Value.
	RemedyRename = "rename"
)

// Remedy is a source edit that would close a gap, located by the lines the
// check found in the finding's File. It is a hypothesis: internal/fix
// makes it a Suggestion only when re-rendering proves it.
type Remedy struct {
	Op    string
	Key   string
	Value string
	Old   string
	At    Anchor
	To    Anchor
	Copy  int
	// Title says the edit in words, for the suggestion and, where the
	// line to edit is a template expression, for the advice.
	Title string
}

// Anchor is where a field is in the source: the line of the field Field
// ("labels", "annotations", "env", a container item "-"), or, when the
// source lacks it (Missing), the line of its parent, whose key is Parent.
type Anchor struct {
	Line    int
	Missing bool
	Field   string
	Parent  string
}
