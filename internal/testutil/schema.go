package testutil

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// RepoRoot is the repository's top folder, found from this file's path so
// that tests in any package can reach docs/.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var schemas sync.Map // path -> *jsonschema.Schema

// Schema compiles the JSON Schema at path (relative to the repository
// root, e.g. docs/schema/finding.schema.json), asserting formats such as
// date-time, and caches it.
func Schema(t testing.TB, path string) *jsonschema.Schema {
	t.Helper()
	if s, ok := schemas.Load(path); ok {
		return s.(*jsonschema.Schema)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join(RepoRoot(), path))
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	schemas.Store(path, s)
	return s
}

// Validate checks one JSON document against the schema at path; what
// failed is named in the test error together with label (a file and line).
func Validate(t testing.TB, path, label string, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Errorf("%s: not JSON: %v", label, err)
		return
	}
	if err := Schema(t, path).Validate(v); err != nil {
		t.Errorf("%s does not follow %s:\n%v", label, path, err)
	}
}

// FindingSchema and ReportSchema are the published schemas of the JSON
// formats: one finding (a jsonl line), and the json format's document.
const (
	FindingSchema = "docs/schema/finding.schema.json"
	ReportSchema  = "docs/schema/report.schema.json"
)

// ValidateJSONL checks every line of jsonl output against the finding
// schema and that each carries the schema version and tool.
func ValidateJSONL(t testing.TB, label string, out []byte) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		l := label + ":" + itoa(i+1)
		Validate(t, FindingSchema, l, line)
		if !bytes.Contains(line, []byte(`"schema_version":`)) || !bytes.Contains(line, []byte(`"tool":{"name":"cloudwall"`)) {
			t.Errorf("%s: line lacks schema_version or tool", l)
		}
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}
