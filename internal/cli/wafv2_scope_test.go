package cli

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWAFv2ScopeCommands: a WAFv2 call's commands address the web ACL,
// IP set or rule group in the scope its record logged, and a CLOUDFRONT
// one in us-east-1, the only region that serves it (an IP set's first
// command shows the set, the others the web ACLs and rule groups that may
// use it, in the same region and scope); and the AWS CLI parses them as
// printed. The records are the wafv2 fixtures of
// internal/normalize/aws/testdata (REGIONAL and CLOUDFRONT; provenance
// in REAL_SOURCES.md and DERIVED_SOURCES.md there).
func TestWAFv2ScopeCommands(t *testing.T) {
	const dir = "../normalize/aws/testdata"
	tests := []struct {
		file, rule, want string
	}{
		{"wafv2_update_web_acl_default_allow_count.json", "aws-wafv2-webacl-update",
			"aws wafv2 get-web-acl --region us-east-1 --name prod-alb-acl --id ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b --scope REGIONAL"},
		{"wafv2_update_web_acl_cloudfront.json", "aws-wafv2-webacl-update",
			"aws wafv2 get-web-acl --region us-east-1 --name cdn-acl --id 3e5d7f21-9a4b-4c8d-b2e6-0f1a2b3c4d5e --scope CLOUDFRONT"},
		{"wafv2_update_ip_set.json", "aws-wafv2-ipset-update",
			"aws wafv2 get-ip-set --region us-east-1 --name admin-allow --id 7c1b2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e --scope REGIONAL"},
		{"wafv2_update_ip_set_regional_eu_west_1.json", "aws-wafv2-ipset-update",
			"aws wafv2 get-ip-set --region eu-west-1 --name admin-allow --id 7c1b2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e --scope REGIONAL"},
		{"wafv2_update_ip_set_cloudfront.json", "aws-wafv2-ipset-update",
			"aws wafv2 get-ip-set --region us-east-1 --name cdn-admin-allow --id 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d --scope CLOUDFRONT"},
		{"wafv2_delete_web_acl.json", "aws-wafv2-webacl-delete", "aws wafv2 list-web-acls --region us-east-1 --scope REGIONAL"},
		{"wafv2_delete_web_acl_cloudfront.json", "aws-wafv2-webacl-delete", "aws wafv2 list-web-acls --region us-east-1 --scope CLOUDFRONT"},
		{"wafv2_delete_ip_set.json", "aws-wafv2-delete", "aws wafv2 list-web-acls --region us-east-1 --scope REGIONAL"},
	}
	var printed []string
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			code, out, stderr := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "-q", filepath.Join(dir, tt.file))
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			fs := decodeFindings(t, out)
			if len(fs) != 1 || fs[0].Rule != tt.rule || fs[0].Guidance == nil {
				t.Fatalf("findings %+v, want one of %s", fs, tt.rule)
			}
			var wafv2 []string
			for _, c := range fs[0].Guidance.Commands {
				if strings.HasPrefix(c.Run, "aws wafv2 ") {
					wafv2 = append(wafv2, c.Run)
				}
			}
			if len(wafv2) == 0 || wafv2[0] != tt.want {
				t.Fatalf("wafv2 commands %q, want %q first", wafv2, tt.want)
			}
			// The others (an IP set's: the web ACLs and rule groups that
			// may use it) address the same region and scope.
			for _, c := range wafv2[1:] {
				for _, w := range regexp.MustCompile(`--(region|scope) \S+`).FindAllString(tt.want, -1) {
					if !strings.Contains(c+" ", w+" ") {
						t.Errorf("%q lacks %q", c, w)
					}
				}
			}
			if strings.Contains(out, "<SCOPE>") {
				t.Errorf("the scope was logged, yet the finding shows <SCOPE>")
			}
			printed = append(printed, wafv2...)
		})
	}
	if testing.Short() {
		return
	}
	aws := awsCheck(t, cli(t, "aws", "/root/.pyenv/shims/aws"))
	for _, cmd := range printed {
		args, ok := argv(t, cmd)
		if !ok {
			continue
		}
		if ok, out := aws(context.Background(), args[1:]); !ok {
			t.Errorf("%s: rejected by aws:\n%s", cmd, indent(out))
		}
	}
}
