package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzApprovalFile: any bytes in an approvals file (YAML, CSV or JSON
// lines, chosen by extension) never crash the reader, and a refusal names
// the file it comes from.
func FuzzApprovalFile(f *testing.F) {
	for _, s := range []struct{ ext, data string }{
		{".yaml", "- {ticket: T-1, who: [a], ports: ['22'], peers: [1.2.3.4/32], from: 2026-01-01, until: 2026-01-02}\n"},
		{".yml", "changes:\n  - ticket: T-2\n    who: [\"*@acme.com\"]\n    resources: [sg-1]\n"},
		{".csv", "ticket,who,ports,peers,from,until\nT-3,a;b,22 443,10.0.0.0/8,2026-01-01,2026-01-02\n"},
		{".csv", "# comment\nTicket,WHO\n\"T-4\",\"a\nb\"\n"},
		{".jsonl", `{"ticket":"T-5","who":"a","ports":[22,"443"],"peers":["0.0.0.0/0"],"from":"2026-01-01","until":"2026-01-02"}` + "\n{\n"},
		{".json", `{"ticket":1e999,"who":[null,{}],"accounts":7}`},
		{".yaml", "a: &a [*a]\n"},
		{".yaml", "- &x {ticket: *x}\n"},
	} {
		f.Add(s.ext, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, ext string, data []byte) {
		switch ext {
		case ".yaml", ".yml", ".csv", ".jsonl", ".ndjson", ".json":
		default:
			ext = ".csv"
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "changes"+ext), data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := "approvals:\n  files: [changes" + ext + "]\n"
		c, err := Parse(filepath.Join(dir, "cloudwall.yaml"), []byte(cfg))
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && !strings.Contains(err.Error(), "changes"+ext) && !strings.Contains(err.Error(), "cloudwall.yaml") {
			t.Fatalf("error names neither file: %v", err)
		}
	})
}
