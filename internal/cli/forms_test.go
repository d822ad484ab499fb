package cli

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/content"
)

// formWords stand in for the upper-case words of the placeholder hints'
// forms (content.PlaceholderForms): what the analyst fills in.
var formWords = map[string]string{
	"KEY":             "AKIAIOSFODNN7EXAMPLE",
	"NAME":            "alice",
	"USER":            "alice",
	"REGION":          "us-east-1",
	"GROUP_ID":        "sg-0123456789abcdef0",
	"GROUP_NAME":      "app-servers",
	"ACCOUNT":         "111122223333",
	"SERVICE_ACCOUNT": "ci@proj-1.iam.gserviceaccount.com",
	"RULE":            "fw-1",
	"PROJECT":         "proj-1",
	"ORGANIZATION_ID": "123456789012",
	"FOLDER_ID":       "123456789012",
	"CIDR":            "203.0.113.0/24",
	"PORT":            "22",
}

var (
	formWordRE      = regexp.MustCompile(`\b[A-Z][A-Z0-9_]*[A-Z0-9]\b`)
	templateParamRE = regexp.MustCompile(`^\{([a-z_]+)\}`)
	// leadingPlaceholderRE is a <NAME> a template writes itself.
	leadingPlaceholderRE = regexp.MustCompile(`^<[A-Z][A-Z0-9_]*>`)
)

// fillForm writes a hint's form as the analyst would, its upper-case
// words replaced by plausible values.
func fillForm(t *testing.T, form string) string {
	t.Helper()
	return formWordRE.ReplaceAllStringFunc(form, func(w string) string {
		v, ok := formWords[w]
		if !ok {
			t.Errorf("form %q: the word %s has no stand-in in formWords", form, w)
			return w
		}
		return v
	})
}

// formCommands returns, for each form of each placeholder hint, the
// commands an analyst gets by following the hint: the form itself when
// it is a command, else every catalogue command that can show the
// placeholder, with the form typed where <NAME> stands (the template's
// other values are the stand-ins of placeholderValues).
func formCommands(t *testing.T) map[string]printedCommand {
	t.Helper()
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, op := range c.Operations {
		for _, s := range append(slices.Clone(op.Guidance.Investigate), op.Guidance.Respond...) {
			runs = append(runs, s.Run)
		}
	}
	for _, g := range c.Attempts {
		for _, s := range append(slices.Clone(g.Investigate), g.Respond...) {
			runs = append(runs, s.Run)
		}
	}
	cmds := map[string]printedCommand{}
	for name, forms := range content.PlaceholderForms() {
		for _, f := range forms {
			form := f.Text
			filled := fillForm(t, form)
			from := "the hint of <" + strings.ToUpper(name) + ">: " + form
			if strings.HasPrefix(form, "aws ") || strings.HasPrefix(form, "gcloud ") {
				cmds[filled] = printedCommand{run: filled, from: from}
				continue
			}
			used := false
			for _, run := range runs {
				if !strings.Contains(run, "{"+name+"}") || !strings.HasPrefix(run, f.Only) {
					continue
				}
				used = true
				// The analyst types the form over the placeholder as
				// printed, its quotes included ('<LOG_SCOPE>').
				cmd := unfilled(strings.ReplaceAll(run, "{"+name+"}", filled))
				cmds[cmd] = printedCommand{run: cmd, from: from}
			}
			if !used {
				t.Errorf("{%s} has forms but no catalogue command uses it", name)
			}
		}
	}
	return cmds
}

// unfilled writes a command template's other placeholders as a finding
// without their values prints them: <NAME>, in single quotes outside
// quoted text.
func unfilled(tmpl string) string {
	var b strings.Builder
	quote := byte(0)
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if m := templateParamRE.FindStringSubmatch(tmpl[i:]); m != nil {
			p := "<" + strings.ToUpper(m[1]) + ">"
			if quote == 0 {
				p = "'" + p + "'"
			}
			b.WriteString(p)
			i += len(m[0]) - 1
			continue
		}
		if m := leadingPlaceholderRE.FindString(tmpl[i:]); quote == 0 && m != "" {
			b.WriteString("'" + m + "'") // written by the template itself
			i += len(m) - 1
			continue
		}
		switch {
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote == c:
			quote = 0
		case quote == '"' && c == '\\' && i+1 < len(tmpl):
			b.WriteByte(c)
			i++
			c = tmpl[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// TestPlaceholderFormsParse: a hint that tells the analyst what to type
// in place of a <PLACEHOLDER> gives a form the CLI accepts. Each form is
// filled in and typed into every command that can show the placeholder,
// and each such command (and each command a hint gives whole) goes
// through the real CLI's argument parser, one per shape.
func TestPlaceholderFormsParse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI and gcloud")
	}
	cmds := formCommands(t)
	for run := range cmds {
		if !strings.HasPrefix(run, "aws ") && !strings.HasPrefix(run, "gcloud ") {
			t.Errorf("%s: from %s: no parser check for its program", run, cmds[run].from)
		}
	}
	n := checkCLI(t, "aws", cmds, awsCheck(t, cli(t, "aws", "/root/.pyenv/shims/aws")))
	n += checkCLI(t, "gcloud", cmds, gcloudCheck(t, cli(t, "gcloud", "/usr/bin/gcloud")))
	t.Logf("%d command shapes from %d placeholder forms checked", n, len(cmds))
}
