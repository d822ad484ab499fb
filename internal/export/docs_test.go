package export

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bradleyjkemp/sigma-go"

	"cloudwall/internal/content"
)

// docsExport is where the generated queries of every target are
// committed, one folder per target.
const docsExport = "../../docs/export"

// TestDocsExportUpToDate fails when docs/export no longer holds what
// `cloudwall export --target all --out docs/export` writes today: a query
// changed, a rule was added or removed, or a file is left over.
func TestDocsExportUpToDate(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	const regen = "go run ./cmd/cloudwall export --target all --out docs/export"
	for _, name := range Targets() {
		files, err := Generate(c, name, "")
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(docsExport, name)
		want := map[string]bool{}
		for _, f := range files {
			want[f.Name] = true
			got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
			if err != nil || !bytes.Equal(got, f.Data) {
				t.Errorf("docs/export/%s/%s is stale or missing; run: %s", name, f.Name, regen)
			}
		}
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			if rel = filepath.ToSlash(rel); !want[rel] && !strings.HasPrefix(rel, "testdata/") {
				t.Errorf("docs/export/%s/%s is no longer generated; delete it", name, rel)
			}
			return nil
		})
		if err != nil {
			t.Errorf("docs/export/%s: %v", name, err)
		}
	}
}

// TestGenerateOneRule checks --rule: one rule's files and an index that
// names it, and an unknown rule or target refused.
func TestGenerateOneRule(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Targets() {
		files, err := Generate(c, name, "gcp-firewall-insert")
		if err != nil {
			t.Fatal(err)
		}
		var idx []byte
		for _, f := range files {
			if f.Name == "README.md" {
				idx = f.Data
			} else if r := ruleOfFile(f.Name); r != "gcp-firewall-insert" && !strings.Contains(f.Name, ".conf") {
				t.Errorf("%s: --rule gcp-firewall-insert wrote %s (rule %s)", name, f.Name, r)
			}
		}
		if !bytes.Contains(idx, []byte("gcp-firewall-insert")) {
			t.Errorf("%s: index does not name the rule:\n%s", name, idx)
		}
	}
	if _, err := Generate(c, "sigma", "no-such-rule"); err == nil {
		t.Error("unknown rule accepted")
	}
	if _, err := Generate(c, "no-such-target", ""); err == nil {
		t.Error("unknown target accepted")
	}
}

// TestCorrelationRulesSkipped checks that a rule with no operation of its
// own (a correlation) is listed as not exported, with the reason.
func TestCorrelationRulesSkipped(t *testing.T) {
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	c := *base
	c.Operations = append(append([]content.Operation(nil), base.Operations[:1]...),
		content.Operation{ID: "x-correlated", Cloud: base.Operations[0].Cloud, Kind: "correlation"},
		content.Operation{ID: "x-correlated-keys", Cloud: base.Operations[0].Cloud, Kind: "correlation", Keys: base.Operations[0].Keys})
	for _, name := range Targets() {
		files, err := Generate(&c, name, "")
		if err != nil {
			t.Fatal(err)
		}
		idx := string(files[len(files)-1].Data)
		if !strings.Contains(idx, "| x-correlated |") || !strings.Contains(idx, "| x-correlated-keys |") || !strings.Contains(idx, "Not exported") {
			t.Errorf("%s: index does not list the correlation rule as not exported:\n%s", name, idx)
		}
		for _, f := range files {
			if r := ruleOfFile(f.Name); r == "x-correlated" || r == "x-correlated-keys" {
				t.Errorf("%s: wrote %s for a correlation rule", name, f.Name)
			}
		}
	}
}

// TestQuotingOfUserContent exports a rule whose operation names carry
// quotes and backslashes, as a user's --content file may: every target
// still writes it, the Sigma rule still parses and matches the name, and
// each query quotes the name rather than breaking on it.
func TestQuotingOfUserContent(t *testing.T) {
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	const name = `odd'name"with\back`
	c, err := content.Parse(base, "odd.yaml", []byte(`operations:
  - id: gcp-odd
    cloud: gcp
    keys: ["compute.`+strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), `"`, `\"`)+`"]
    resource: vpc_firewall_rule
    kind: rules
    severity: medium
    title: "odd {resource}"
    description: An operation with an odd name.
    guidance:
      investigate: ["Look at it."]
      respond: ["Undo it."]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range Targets() {
		files, err := Generate(c, target, "gcp-odd")
		if err != nil {
			t.Fatal(err)
		}
		if target == "athena" {
			continue // AWS only
		}
		if len(files) < 2 {
			t.Errorf("%s: %d files", target, len(files))
		}
		for _, f := range files {
			if target == "sigma" && f.Name == "gcp-odd.yml" {
				r, err := sigma.ParseRule(f.Data)
				if err != nil {
					t.Fatalf("%s: %v\n%s", f.Name, err, f.Data)
				}
				ev := map[string]any{}
				flatten("", map[string]any{"protoPayload": map[string]any{"methodName": "v1.compute." + name}}, ev)
				if !sigmaMatch(t, r, ev) {
					t.Errorf("%s does not match its own odd method name", f.Name)
				}
			}
		}
	}
	kql, _ := Generate(c, "kql", "gcp-odd")
	bq, _ := Generate(c, "bigquery", "gcp-odd")
	errs := parse(t, []query{{Name: "kql", Lang: "kql", Text: string(kql[0].Data)}, {Name: "bq", Lang: "bigquery", Text: string(bq[0].Data)}})
	for name, e := range errs {
		if len(e) > 0 {
			t.Errorf("%s: %v", name, e)
		}
	}
}
