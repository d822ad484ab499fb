package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedImports lists, for each package, the cloudwall packages it may
// import: imports flow one way, from the composition root toward the
// model. A new edge fails here until it is a decision, not an accident.
var allowedImports = map[string][]string{
	"internal/model":            {},
	"internal/content":          {"internal/model"},
	"internal/ingest":           {},
	"internal/normalize/jv":     {},
	"internal/normalize/record": {"internal/normalize/jv"}, // it reads records as the parsers do
	"internal/normalize/aws":    {"internal/model", "internal/normalize/jv", "internal/normalize/record"},
	"internal/normalize/azure":  {"internal/model", "internal/normalize/jv", "internal/normalize/record"},
	"internal/normalize/gcp":    {"internal/model", "internal/normalize/jv", "internal/normalize/record"},
	"internal/normalize":        {"internal/model", "internal/normalize/aws", "internal/normalize/azure", "internal/normalize/gcp", "internal/normalize/jv", "internal/normalize/record"},
	"internal/snapshot":         {"internal/model", "internal/ingest", "internal/normalize", "internal/normalize/aws", "internal/normalize/azure", "internal/normalize/gcp", "internal/normalize/jv", "internal/spill"},
	"internal/detect":           {"internal/model", "internal/content"},
	"internal/state":            {"internal/model", "internal/content", "internal/detect"},
	"internal/output":           {"internal/model"},
	"internal/simulate":         {"internal/model"},
	"internal/testutil":         {"internal/normalize/jv"},
	"internal/config":           {"internal/model"},
	"internal/policy":           {"internal/model", "internal/config"},
	"internal/store":            {"internal/model"},
	"internal/correlate":        {"internal/model"},
	"internal/pipeline":         {"internal/model", "internal/content", "internal/detect", "internal/ingest", "internal/normalize", "internal/config", "internal/policy", "internal/state", "internal/store", "internal/spill", "internal/correlate"},
	"internal/spill":            {},
	"internal/attack":           {"internal/model"},
	"internal/guide":            {"internal/model", "internal/content", "internal/detect"},
	"internal/traffic":          {"internal/model", "internal/ingest", "internal/normalize", "internal/normalize/jv"},
	"internal/audit":            {"internal/model", "internal/detect", "internal/snapshot", "internal/guide", "internal/state"},
	"internal/export":           {"internal/model", "internal/content"},
	"internal/cli":              {"internal/model", "internal/content", "internal/export", "internal/ingest", "internal/output", "internal/pipeline", "internal/traffic", "internal/config", "internal/audit", "internal/detect", "internal/snapshot", "internal/guide", "internal/attack", "internal/state", "internal/store"},
	"cmd/cloudwall":             {"internal/cli"},
	"bench":                     {"internal/model", "internal/simulate"},
	"bench/flowbench":           {"internal/model", "internal/simulate"},
	"bench/statebench":          {"internal/model", "internal/content", "internal/state"},
}

func TestImportLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "cloudwall/...").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, "cloudwall/")
		allowed, known := allowedImports[name]
		if !known {
			t.Errorf("package %s is not in the layering table: add it with the imports it may use", name)
			continue
		}
		seen++
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, "cloudwall/")
			if ours && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s, which the layering does not allow", name, dep)
			}
		}
	}
	if seen < 10 {
		t.Fatalf("only %d packages listed", seen)
	}
}
