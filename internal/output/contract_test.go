package output

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// TestReadmeDocumentsFindingContract checks that the README's finding
// contract names every field a finding can carry: each JSON field of
// model.Finding and of the published schema, and each field of the actor,
// so a consumer never meets an undocumented key.
func TestReadmeDocumentsFindingContract(t *testing.T) {
	root := testutil.RepoRoot()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## The finding (stable output contract)")
	if !ok {
		t.Fatal("README has no finding contract section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// Field names are the code spans in the table's first column; the
	// actor's fields are the code spans of its row.
	documented := map[string]bool{}
	var actorRow string
	span := regexp.MustCompile("`([a-z_]+)`")
	for _, l := range strings.Split(section, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) < 3 || !strings.HasPrefix(l, "| `") {
			continue
		}
		for _, m := range span.FindAllStringSubmatch(cells[1], -1) {
			documented[m[1]] = true
		}
		if strings.TrimSpace(cells[1]) == "`actor`" {
			actorRow = cells[2]
		}
	}
	actorDoc := map[string]bool{}
	for _, m := range span.FindAllStringSubmatch(actorRow, -1) {
		actorDoc[m[1]] = true
	}

	for _, name := range jsonFields(reflect.TypeFor[model.Finding]()) {
		if !documented[name] {
			t.Errorf("model.Finding field %q is not in the README's finding contract", name)
		}
	}
	for _, name := range jsonFields(reflect.TypeFor[model.Actor]()) {
		if !actorDoc[name] {
			t.Errorf("actor field %q is not in the README's actor row", name)
		}
	}
	var schema struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	b, err := os.ReadFile(filepath.Join(root, testutil.FindingSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	for name := range schema.Properties {
		if !documented[name] {
			t.Errorf("schema property %q is not in the README's finding contract", name)
		}
	}
	for name := range schema.Defs["actor"].Properties {
		if !actorDoc[name] {
			t.Errorf("schema actor property %q is not in the README's actor row", name)
		}
	}
}

// jsonFields lists the JSON names of a struct's exported fields.
func jsonFields(typ reflect.Type) []string {
	var out []string
	for f := range typ.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if tag == "" {
			tag = f.Name
		}
		out = append(out, tag)
	}
	return out
}
