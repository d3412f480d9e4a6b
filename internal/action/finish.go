package action

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/publish"
	"github.com/meshgate/meshgate/internal/report"
)

// maxStepSummaryBytes: "$GITHUB_STEP_SUMMARY upload aborted, supports
// content up to a size of 1024k".
const maxStepSummaryBytes = 1024 * 1024

// noToken is the problem of a run that had something to post and no token.
const noToken = "no token (the github-token input, or GITHUB_TOKEN): nothing was posted to GitHub"

// Finish publishes rep through pub (made by Publisher) judged by gate, with
// its paths made relative to the repository root, then says once in the log
// what went wrong, appends the report to the job summary and sets the step
// outputs. Publishing failures are in the Result and never change the exit
// code; the error is only for a setup mistake.
func (r *Run) Finish(ctx context.Context, pub publish.Publisher, rep report.Report, gate publish.Gate) (publish.Result, error) {
	rep = r.RepoRelative(rep)
	res, err := pub.Finish(ctx, rep, gate)
	if err != nil {
		return res, err
	}
	if r.token == "" && (r.Inputs.CheckRun || (r.prNumber > 0 && r.Inputs.Comment != publish.CommentNever)) {
		res.Problems = append(res.Problems, noToken)
	}
	if len(res.MissingPermissions) > 0 {
		r.Warning(r.permissionMessage(res))
	}
	for _, p := range res.Problems {
		r.Warning("meshgate: " + p)
	}
	r.stepSummary(rep, &res)
	r.outputs(rep, &res)
	return res, nil
}

// Warning writes msg as a warning annotation titled meshgate.
func (r *Run) Warning(msg string) {
	r.gha.WithFieldsMap(map[string]string{"title": "meshgate"}).Warningf("%s", msg)
}

func (r *Run) permissionMessage(res publish.Result) string {
	var b strings.Builder
	b.WriteString("meshgate could not publish to GitHub: the token lacks ")
	b.WriteString(strings.Join(res.MissingPermissions, " and "))
	b.WriteString(" (add it to the workflow's permissions: block).")
	if r.fork {
		b.WriteString(" Pull requests from forks get a read-only token; publish their reports from a workflow_run workflow (see the README).")
	}
	if res.Fallback {
		b.WriteString(" The findings are annotated with workflow commands and listed in the job summary instead.")
	} else {
		b.WriteString(" The findings are in the check run and the job summary.")
	}
	return b.String()
}

// stepSummary appends the markdown report to the job summary, with what
// publishing has to say after its verdict.
func (r *Run) stepSummary(rep report.Report, res *publish.Result) {
	var extra strings.Builder
	if len(res.MissingPermissions) > 0 {
		extra.WriteString("\n> [!WARNING]\n> " + r.permissionMessage(*res) + "\n")
	}
	for _, p := range res.Problems {
		extra.WriteString("\n> [!WARNING]\n> meshgate: " + strings.Join(strings.Fields(p), " ") + "\n")
	}
	md := report.Markdown(rep, report.Options{MaxBytes: maxStepSummaryBytes - extra.Len() - 1, CheckRunURL: res.CheckRunURL,
		SourceURL: publish.SourceURL(r.serverURL, r.owner, r.repo, r.headSHA), Since: res.Since})
	body := report.InsertAfterVerdict(md, extra.String())
	r.fileCommand(res, "job summary", r.stepSummaryFile, func() { r.gha.AddStepSummary(body) })
}

// outputs sets the step outputs (action.yml).
func (r *Run) outputs(rep report.Report, res *publish.Result) {
	set := map[string]string{
		"result":   res.Result,
		"findings": strconv.Itoa(rep.Summary.Findings),
		"errors":   strconv.Itoa(rep.Summary.Errors),
		"warnings": strconv.Itoa(rep.Summary.Warnings),
		"report":   r.Inputs.JSONFile,
	}
	for _, k := range []string{"result", "findings", "errors", "warnings", "report"} {
		r.fileCommand(res, "output "+k, r.outputFile, func() { r.gha.SetOutput(k, set[k]) })
	}
}

// fileCommand runs a githubactions file command, which panics when the
// file cannot be written, and turns that into a problem of res.
func (r *Run) fileCommand(res *publish.Result, what, file string, f func()) {
	if file == "" {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			res.Problems = append(res.Problems, fmt.Sprintf("could not write the %s to %s: %v", what, file, p))
		}
	}()
	f()
}

// LogGroups writes one collapsible log group per environment, with its
// timing and its findings in the text format.
func (r *Run) LogGroups(rep report.Report) {
	for _, e := range rep.Environments {
		sub := report.Report{Version: rep.Version, Tool: rep.Tool, Environments: []report.Environment{e}}
		for _, f := range rep.Findings {
			if f.Environment == e.Name {
				sub.Findings = append(sub.Findings, f)
			}
		}
		for _, f := range rep.Ignored {
			if f.Environment == e.Name {
				sub.Ignored = append(sub.Ignored, f)
			}
		}
		sub.Finalize()
		r.gha.Group(fmt.Sprintf("%s: %d workloads, %d findings (%d ms)", e.Name, e.Workloads, len(sub.Findings), e.DurationMs))
		var buf bytes.Buffer
		if err := report.Text(&buf, sub, report.Options{}); err == nil {
			r.out.Write(buf.Bytes())
		}
		r.gha.EndGroup()
	}
}
