package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// audit and diff read cloudwall.yaml as scan does: a rule open to a
// trusted network is judged trusted, not public, and a suppression hides
// the rule it names.
func TestAuditDiffUseConfig(t *testing.T) {
	dir, err := filepath.Abs("testdata/trusted-audit")
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "cloudwall.yaml")
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, tc := range []struct {
		name       string
		cwd        string // run here (a cloudwall.yaml found by default)
		args       []string
		want, not  []string
		wantStderr string
	}{
		{name: "audit without config", args: []string{"audit", "--as-of", asOf, b},
			want: []string{"bastion) open to a wide public range (25.0.0.0/8)", "web) open to the IPv4 internet on 443/tcp"}},
		{name: "audit --config", args: []string{"audit", "--as-of", asOf, "--config", cfg, b},
			not: []string{"bastion", "public", "sg-0c0ffee000000000b"}, wantStderr: "1 suppressed"},
		{name: "audit ./cloudwall.yaml", cwd: dir, args: []string{"audit", "--as-of", asOf, b},
			not: []string{"bastion", "public", "sg-0c0ffee000000000b"}, wantStderr: "1 suppressed"},
		{name: "diff without config", args: []string{"diff", a, b},
			want: []string{"rule added, open to a wide public range (25.0.0.0/8) on 22/tcp"}},
		{name: "diff --config", args: []string{"diff", "--config", cfg, a, b},
			want: []string{"rule added, open to trusted network corp-vpn (25.0.0.0/8) on 22/tcp"},
			not:  []string{"public", "sg-0c0ffee000000000b"}, wantStderr: "1 suppressed"},
		{name: "diff --show-suppressed", args: []string{"diff", "--config", cfg, "--show-suppressed", a, b},
			want: []string{"open to trusted network corp-vpn", `"suppressed"`, "SUP-7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cwd != "" {
				t.Chdir(tc.cwd)
			}
			args := append([]string{tc.args[0], "--format", "jsonl", "--min-severity", "info"}, tc.args[1:]...)
			code, out, stderr := run(t, nil, args...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
			if !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantStderr, stderr)
			}
		})
	}
}

// A configuration that does not load stops audit as it stops scan.
func TestAuditBadConfig(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "cloudwall.yaml")
	if err := os.WriteFile(bad, []byte("trusted_networks:\n  - name: corp\n    cidrs: [\"10.0.0.300/24\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"audit", snapshots}, {"diff", monday, friday}} {
		code, _, stderr := run(t, nil, append([]string{cmd[0], "--config", bad}, cmd[1:]...)...)
		if code != ExitError || !strings.Contains(stderr, "cloudwall.yaml:3") {
			t.Errorf("%s: exit %d, stderr %q; want %d naming the line", cmd[0], code, stderr, ExitError)
		}
	}
}
