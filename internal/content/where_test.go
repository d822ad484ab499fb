package content

import (
	"strings"
	"testing"
)

// TestPlaceholderForms: a hint that shows what to type (a flag, a
// KEY=VALUE, a command) lists its forms in PlaceholderForms, written
// exactly as in the hint, so the CLI tests can fill them in and parse them
// (internal/cli TestPlaceholderFormsParse).
func TestPlaceholderForms(t *testing.T) {
	where, forms := PlaceholderWhere(), PlaceholderForms()
	for name, hint := range where {
		syntax := strings.Contains(hint, "--") || strings.Contains(hint, "=") ||
			strings.Contains(hint, "aws ") || strings.Contains(hint, "gcloud ") || strings.Contains(hint, "az ")
		if syntax && len(forms[name]) == 0 {
			t.Errorf("hint of {%s} shows what to type but has no PlaceholderForms entry: %s", name, hint)
		}
	}
	for name, fs := range forms {
		hint, ok := where[name]
		if !ok {
			t.Errorf("PlaceholderForms names {%s}, which has no hint", name)
		}
		for _, f := range fs {
			if !strings.Contains(hint, f.Text) {
				t.Errorf("form %q of {%s} is not written so in its hint: %s", f.Text, name, hint)
			}
		}
	}
}
