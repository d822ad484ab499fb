package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestExample loads the documented example, so it cannot drift from the
// schema.
func TestExample(t *testing.T) {
	c, err := Load("../../docs/examples/cloudwall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Trusted) != 2 || c.Trusted[0].Name != "corp-vpn" || len(c.Trusted[1].Prefixes) != 2 {
		t.Errorf("trusted networks = %+v", c.Trusted)
	}
	if len(c.Automation) != 5 || c.Automation[0].Kind != KindIaC || c.Automation[1].Kind != KindController {
		t.Errorf("automation = %+v", c.Automation)
	}
	tickets := map[string]bool{}
	for _, a := range c.Approvals {
		tickets[a.Ticket] = true
	}
	if !tickets["CHG-1042"] || !tickets["CHG-1043"] || !tickets["CHG-1044"] || len(c.Approvals) != 3 {
		t.Errorf("approvals = %v, want the inline one and both CSV rows", tickets)
	}
	if len(c.Suppressions) != 1 || !c.Suppressions[0].Expires.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("suppressions = %+v (a date expiry applies through that day)", c.Suppressions)
	}
	if len(c.NetworkClasses) != 1 || len(c.NetworkClasses[0].Prefixes) != 2 {
		t.Errorf("network classes = %+v", c.NetworkClasses)
	}
	if len(c.Content) != 1 || c.Content[0] != filepath.Join("../../docs/examples", "content-override.yaml") {
		t.Errorf("content paths are not resolved relative to the file: %v", c.Content)
	}
}

// TestErrors: every mistake is reported with file and line, all of them
// at once.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "trusted_networks:\n  - name: a\n    cidr: [10.0.0.0/8]\n", []string{"c.yaml:3: unknown key cidr"}},
		{"unknown top-level key", "trusted: []\n", []string{"c.yaml:1: unknown key trusted"}},
		{"bad CIDR", "trusted_networks:\n  - name: a\n    cidrs:\n      - 10.0.0.0/8\n      - 300.1.2.3/24\n", []string{"c.yaml:5:", "300.1.2.3/24", "not a CIDR"}},
		{"host bits", "trusted_networks:\n  - name: a\n    cidrs: [10.0.0.1/8]\n", []string{"c.yaml:3:", "host bits"}},
		{"too wide to trust", "trusted_networks:\n  - name: a\n    cidrs: [0.0.0.0/0]\n", []string{"c.yaml:3:", "too wide"}},
		{"automation without identity", "automation:\n  - name: tf\n    kind: iac\n    user_agents: [\"*terraform*\"]\n", []string{"c.yaml:2:", "needs an identity"}},
		{"automation kind", "automation:\n  - name: tf\n    kind: robot\n    roles: [x]\n", []string{"c.yaml:3:", "kind \"robot\""}},
		{"match-all pattern", "automation:\n  - name: tf\n    kind: iac\n    roles: [\"*\"]\n", []string{"c.yaml:4:", "matches everything"}},
		{"bad date", "suppressions:\n  - id: s\n    owner: o\n    reason: r\n    expires: 2026-13-45\n    match: {rules: [x]}\n", []string{"c.yaml:5:", "not a date"}},
		{"suppression without owner", "suppressions:\n  - id: s\n    reason: r\n    expires: 2026-01-01\n    match: {rules: [x]}\n", []string{"c.yaml:2:", "owner is required"}},
		{"suppression matching all", "suppressions:\n  - id: s\n    owner: o\n    reason: r\n    expires: 2026-01-01\n", []string{"c.yaml:2:", "match is empty"}},
		{"suppression of no cloud", "suppressions:\n  - id: s\n    owner: o\n    reason: r\n    expires: 2026-01-01\n    match: {clouds: [AWS, oracle]}\n", []string{`c.yaml:6: suppression "s": clouds: "oracle" is none of aws, azure, gcp`}},
		{"approval window", "approvals:\n  changes:\n    - ticket: T\n      who: [a]\n      from: 2026-03-02\n      until: 2026-03-01T00:00:00Z\n", []string{"c.yaml:6:", "not after"}},
		{"approval without who", "approvals:\n  changes:\n    - ticket: T\n      from: 2026-03-01\n      until: 2026-03-02\n", []string{"c.yaml:3:", "who is required"}},
		{"approval port", "approvals:\n  changes:\n    - ticket: T\n      who: [a]\n      ports: [\"22-abc\"]\n      from: 2026-03-01\n      until: 2026-03-02\n", []string{`c.yaml:5: approval "T": ports: port range "22-abc": not a port number or range (22, 8000-8080, all)`}},
		{"list where a value belongs", "version: [1]\n", []string{"c.yaml:1:", "single value"}},
		{"value where a list belongs", "trusted_networks:\n  - name: a\n    cidrs: 10.0.0.0/8\n", []string{`c.yaml:3: want a list, not the single value "10.0.0.0/8" (write [10.0.0.0/8])`}},
		{"mapping where a list belongs", "automation:\n  - name: a\n    kind: iac\n    roles: {x: 1}\n", []string{"c.yaml:4: want a list, not a mapping"}},
		{"two errors", "trusted_networks:\n  - name: a\n    cidrs: [bad]\n  - name: b\n    cidrs: [worse]\n", []string{"c.yaml:3:", "c.yaml:5:"}},
		{"syntax", "trusted_networks: [\n", []string{"c.yaml:"}},
		{"version", "version: 2\n", []string{"c.yaml:1:", "version 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestApprovalFormats: the same records read from YAML, CSV and JSON
// lines compile to the same approvals.
func TestApprovalFormats(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml":  "- ticket: CHG-1\n  who: [alice]\n  accounts: [\"1111\"]\n  resources: [sg-1]\n  ports: [\"443\", 8000-8080]\n  peers: [198.51.100.0/24]\n  from: 2026-03-01T10:00:00Z\n  until: 2026-03-01T12:00:00Z\n",
		"b.yaml":  "changes:\n  - ticket: CHG-1\n    who: [alice]\n    accounts: [\"1111\"]\n    resources: [sg-1]\n    ports: [\"443\", 8000-8080]\n    peers: [198.51.100.0/24]\n    from: 2026-03-01T10:00:00Z\n    until: 2026-03-01T12:00:00Z\n",
		"c.csv":   "ticket,who,accounts,resources,ports,peers,from,until\nCHG-1,alice,1111,sg-1,443;8000-8080,198.51.100.0/24,2026-03-01T10:00:00Z,2026-03-01T12:00:00Z\n",
		"e.csv":   "ticket,who,accounts,resources,ports,peers,from,until\nCHG-1,alice,1111,sg-1,\"443, 8000-8080\",198.51.100.0/24,2026-03-01T10:00:00Z,2026-03-01T12:00:00Z\n",
		"d.jsonl": `{"ticket":"CHG-1","who":"alice","accounts":["1111"],"resources":["sg-1"],"ports":[443,"8000-8080"],"peers":["198.51.100.0/24"],"from":"2026-03-01T10:00:00Z","until":"2026-03-01T12:00:00Z"}` + "\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		cfgPath := filepath.Join(dir, "cloudwall-"+name+".yaml")
		if err := os.WriteFile(cfgPath, []byte("approvals:\n  files: ["+name+"]\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(cfgPath)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(c.Approvals) != 1 {
			t.Fatalf("%s: %d approvals", name, len(c.Approvals))
		}
		a := c.Approvals[0]
		want := model.PortList{{From: 443, To: 443}, {From: 8000, To: 8080}}
		if a.Ticket != "CHG-1" || len(a.Who) != 1 || a.Who[0] != "alice" || a.Accounts[0] != "1111" || a.Resources[0] != "sg-1" ||
			len(a.Ports) != 2 || a.Ports[0] != want[0] || a.Ports[1] != want[1] ||
			len(a.Peers) != 1 || a.Peers[0] != netip.MustParsePrefix("198.51.100.0/24") ||
			!a.From.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || !a.Until.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: %+v", name, a)
		}
		if !strings.HasPrefix(a.Source, filepath.Join(dir, name)+":") {
			t.Errorf("%s: source %q does not name the file and line", name, a.Source)
		}
	}
}

// TestApprovalFileErrors: errors in an approval file name that file and line.
func TestApprovalFileErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"x.csv":   "ticket,who,from,until,colour\nT,a,2026-01-01,2026-01-02,red\nT2,a,2026-01-01,yesterday,\n",
		"y.jsonl": "{\"ticket\":\"T\",\"who\":\"a\",\"from\":\"2026-01-01\",\"until\":\"2026-01-02\"}\n{\"ticket\":\"T\",\"whom\":\"a\"}\nnot json\n",
		"z.txt":   "",
		// Values of the wrong type: dropped, they would widen the
		// approval to any port and any peer that is not world-open.
		"w.jsonl": `{"ticket":"T","who":"a","ports":[true],"peers":[{"cidr":"10.0.0.0/16"}],"from":"2026-01-01","until":"2026-01-02"}` + "\n" +
			`{"ticket":["T2"],"who":"a","ports":{"from":22},"from":"2026-01-01","until":"2026-01-02"}` + "\n",
	}
	want := map[string][]string{
		"x.csv":   {"x.csv:1: unknown column \"colour\"", "x.csv:3:", "yesterday"},
		"y.jsonl": {"y.jsonl:2: unknown key \"whom\"", "y.jsonl:3: not a JSON object"},
		"z.txt":   {"unknown format"},
		"w.jsonl": {"w.jsonl:1: ports: want strings, not the boolean true", "w.jsonl:1: peers: want strings, not an object",
			"w.jsonl:2: ticket: want a string, not a list", "w.jsonl:2: ports: want a string, not an object"},
	}
	for name, body := range cases {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Parse(filepath.Join(dir, "c.yaml"), []byte("approvals:\n  files: ["+name+"]\n"))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		for _, w := range want[name] {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", name, err, w)
			}
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"arn:aws:iam::*:role/terraform-*", "arn:aws:iam::111122223333:role/Terraform-CI", true},
		{"arn:aws:iam::*:role/terraform-*", "arn:aws:iam::111122223333:role/ci/terraform-x", false},
		{"*terraform*", "APN/1.0 HashiCorp/1.0 Terraform/1.9.5", true},
		{"sg-?", "sg-1", true},
		{"sg-?", "sg-12", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := NewGlob(tt.pat).Match(tt.s); got != tt.want {
			t.Errorf("%q ~ %q = %v", tt.pat, tt.s, got)
		}
	}
	// A hostile pattern stays linear.
	long := strings.Repeat("a", 10000)
	if NewGlob(strings.Repeat("*a", 50) + "b").Match(long) {
		t.Error("matched")
	}
}

// TestAutomationFor: automation is recognised by identity; a user agent
// alone never makes a match.
func TestAutomationFor(t *testing.T) {
	c, err := Parse("c.yaml", []byte(`
automation:
  - name: terraform-ci
    kind: iac
    roles: ["arn:aws:iam::*:role/terraform-ci"]
    user_agents: ["*terraform*"]
  - name: cc
    kind: controller
    service_accounts: ["cnrm-system@*.iam.gserviceaccount.com"]
  - name: arm
    kind: iac
    azure_app_ids: [1111-app]
`))
	if err != nil {
		t.Fatal(err)
	}
	tf := "Terraform/1.9.5 terraform-provider-aws/5.60.0"
	tests := []struct {
		name  string
		actor model.Actor
		ua    string
		want  string
	}{
		{"role session with terraform UA", model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/terraform-ci/GitHubActions"}, tf, "terraform-ci"},
		{"role session with another UA", model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/terraform-ci/x"}, "aws-cli/2.15", ""},
		{"unknown user with terraform UA", model.Actor{Type: "IAMUser", ID: "arn:aws:iam::111122223333:user/mallory", Name: "mallory"}, tf, ""},
		{"session name is not a role", model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/admin/terraform-ci"}, tf, ""},
		{"GCP service account", model.Actor{Type: "ServiceAccount", ID: "cnrm-system@proj-1.iam.gserviceaccount.com"}, "", "cc"},
		{"Azure app", model.Actor{Type: "ServicePrincipal", ID: "oid-1", ViaService: "1111-APP"}, "", "arm"},
		{"Azure user named like the app", model.Actor{Type: "User", ID: "oid-2", Name: "1111-app"}, "", ""},
	}
	for _, tt := range tests {
		a, ok := c.AutomationFor(&model.Event{Actor: tt.actor, UserAgent: tt.ua})
		got := ""
		if ok {
			got = a.Name
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzParse: no input crashes the parser or passes without a Config.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"version: 1\n", "trusted_networks:\n  - name: a\n    cidrs: [10.0.0.0/8]\n",
		"automation:\n  - {name: a, kind: iac, roles: [x]}\n", "suppressions: [{id: s, owner: o, reason: r, expires: 2026-01-01, match: {rules: [x]}}]\n",
		"approvals: {changes: [{ticket: T, who: [a], ports: ['22'], peers: [1.2.3.4], from: 2026-01-01, until: 2026-01-02}]}\n"} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("../../docs/examples/cloudwall.yaml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(filepath.Join(t.TempDir(), "c.yaml"), data)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}

// FuzzApprovalFiles: no approval file, in any of its formats, crashes the
// loader or passes without a Config; a record it accepts has a ticket, an
// actor and a window.
func FuzzApprovalFiles(f *testing.F) {
	f.Add(`{"ticket":"T","who":["a"],"ports":[443,"8000-8080"],"peers":"10.0.0.0/8","from":"2026-01-01","until":"2026-01-02"}`+"\n", uint8(0))
	f.Add(`{"ticket":"T","who":"a","peers":[{"cidr":"10.0.0.0/8"}],"from":"2026-01-01","until":"2026-01-02"}`+"\n", uint8(0))
	f.Add("ticket,who,ports,from,until\nT,a,\"22, 443\",2026-01-01,2026-01-02\n", uint8(1))
	f.Add("- {ticket: T, who: [a], from: 2026-01-01, until: 2026-01-02}\n", uint8(2))
	f.Fuzz(func(t *testing.T, body string, format uint8) {
		dir := t.TempDir()
		name := []string{"a.jsonl", "a.csv", "a.yaml"}[int(format)%3]
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Parse(filepath.Join(dir, "c.yaml"), []byte("approvals:\n  files: ["+name+"]\n"))
		if err != nil {
			return
		}
		if c == nil {
			t.Fatal("nil config without error")
		}
		for _, a := range c.Approvals {
			if a.Ticket == "" || len(a.Who) == 0 || !a.Until.After(a.From) {
				t.Errorf("accepted %+v", a)
			}
		}
	})
}
