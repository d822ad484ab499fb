package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

func TestIdentityOf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cloudwall.yaml")
	body := "identities:\n" +
		"  - name: Alice@Example.com\n" +
		"    match: [\"arn:aws:iam::*:user/alice\", \"alice.admin@contoso.onmicrosoft.com\", \"arn:aws:sts::*:assumed-role/alice-admin/*\"]\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cloud model.Cloud
		a     model.Actor
		want  string
	}{
		{"AWS SSO session: the person", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/Alice@Example.com", Name: "Alice@Example.com"}, "alice@example.com"},
		{"AWS SSO session, issuer on Identity Center's path", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/Alice@Example.com", Name: "Alice@Example.com", SessionIssuer: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0a1b"}, "alice@example.com"},
		{"Azure upn", model.Azure, model.Actor{ID: "22222222-aaaa-4bbb-8ccc-000000000002", Name: "alice@example.com"}, "alice@example.com"},
		{"GCP impersonation: the original caller", model.GCP, model.Actor{ID: "deployer@p.iam.gserviceaccount.com", ViaService: "alice@example.com"}, "alice@example.com"},
		{"GCP service agent stays itself", model.GCP, model.Actor{ID: "service-1@container-engine-robot.iam.gserviceaccount.com", ViaService: "container.googleapis.com"}, "service-1@container-engine-robot.iam.gserviceaccount.com"},
		{"AWS record naming only the access key: the key", model.AWS, model.Actor{Type: "IAMUser", Name: "unknown user (access key AKIAIOSFODNN7EXAMPLE)", AccessKey: "AKIAIOSFODNN7EXAMPLE"}, "access key AKIAIOSFODNN7EXAMPLE"},
		{"AWS user with its key: the user", model.AWS, model.Actor{Type: "IAMUser", ID: "arn:aws:iam::1:user/bob", Name: "bob", AccessKey: "AKIAIOSFODNN7EXAMPLE"}, "arn:aws:iam::1:user/bob"},
		{"configured: an IAM user", model.AWS, model.Actor{ID: "arn:aws:iam::123456789012:user/alice", Name: "alice"}, "alice@example.com"},
		{"configured: another Azure account of the same person", model.Azure, model.Actor{ID: "3333", Name: "alice.admin@contoso.onmicrosoft.com"}, "alice@example.com"},
		{"AWS source identity: the original caller behind the role session", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/NetworkAdmins/deploy-session", Name: "NetworkAdmins", OriginalCaller: "Carol@Example.com"}, "carol@example.com"},
		{"AWS Identity Center user a session acts for (onBehalfOf)", model.AWS, model.Actor{Type: "IdentityCenterUser", ID: "544894e8-80c1-707f-60e3-3ba6510dfac1", OriginalCaller: "544894e8-80c1-707f-60e3-3ba6510dfac1"}, "544894e8-80c1-707f-60e3-3ba6510dfac1"},
		{"AWS web identity session: the federated subject", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/eks-netpol/botocore-session-1", OriginalCaller: "system:serviceaccount:kube-system:netpol", Federation: "web-identity:oidc"}, "system:serviceaccount:kube-system:netpol"},
		{"configured: the original caller is a known account of the person", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/NetworkAdmins/x", OriginalCaller: "alice.admin@contoso.onmicrosoft.com"}, "alice@example.com"},
		{"GCP impersonation chain read by the normalizer", model.GCP, model.Actor{ID: "deployer@p.iam.gserviceaccount.com", ViaService: "ci@p.iam.gserviceaccount.com", OriginalCaller: "Bob@Example.com", Delegation: "Bob@Example.com, ci@p.iam.gserviceaccount.com, deployer@p.iam.gserviceaccount.com"}, "bob@example.com"},
		{"near miss: a role named like Identity Center's, outside its path (the normalizer names it by the role)", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com", Name: "AWSReservedSSO_Admin_0a1b", SessionIssuer: "arn:aws:iam::1:role/AWSReservedSSO_Admin_0a1b"}, "arn:aws:iam::1:role/awsreservedsso_admin_0a1b"},
		{"near miss: a role session named like the person is not SSO, it is the role", model.AWS, model.Actor{ID: "arn:aws:sts::1:assumed-role/admin/alice@example.com", Name: "admin"}, "arn:aws:iam::1:role/admin"},
		{"AWS role session: the role, whatever the session is named", model.AWS, model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/web-deployer/i-0ddd3333eeee4444f", Name: "web-deployer", SessionIssuer: "arn:aws:iam::111122223333:role/app/web-deployer"}, "arn:aws:iam::111122223333:role/web-deployer"},
		{"AWS role session without its issuer: the same role", model.AWS, model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/web-deployer/botocore-session-1773482400", Name: "web-deployer"}, "arn:aws:iam::111122223333:role/web-deployer"},
		{"configured: a role session matched by its session ARN", model.AWS, model.Actor{ID: "arn:aws:sts::123456789012:assumed-role/alice-admin/alice", Name: "alice-admin"}, "alice@example.com"},
		{"near miss: another IAM user", model.AWS, model.Actor{ID: "arn:aws:iam::123456789012:user/alicia", Name: "alicia"}, "arn:aws:iam::123456789012:user/alicia"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cfg.IdentityOf(tt.cloud, tt.a); got != tt.want {
				t.Errorf("identity %q, want %q", got, tt.want)
			}
		})
	}
	if got := (*Config)(nil).IdentityOf(model.Azure, model.Actor{ID: "x", Name: "Bob@Example.com"}); got != "bob@example.com" {
		t.Errorf("no configuration: %q", got)
	}
	if err := os.WriteFile(path, []byte("identities:\n  - name: bob\n  - name: \"\"\n    match: [x]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), "cloudwall.yaml:2: identities \"bob\": match is empty") || !strings.Contains(err.Error(), "without a name") {
		t.Errorf("errors: %v", err)
	}
}

// DrivenBy keeps a human (or an unconfigured identity) driving an
// automation identity from being lowered as automation; it never names a
// driver where the chain is automation throughout or the log names none.
func TestDrivenBy(t *testing.T) {
	c, err := Parse("c.yaml", []byte(`
automation:
  - name: terraform
    kind: iac
    service_accounts: ["terraform@p.iam.gserviceaccount.com"]
    roles: ["arn:aws:iam::*:role/terraform-ci"]
  - name: ci
    kind: iac
    service_accounts: ["ci@build.iam.gserviceaccount.com"]
    users: ["deploy-bot"]
`))
	if err != nil {
		t.Fatal(err)
	}
	sa := "terraform@p.iam.gserviceaccount.com"
	role := "arn:aws:sts::111122223333:assumed-role/terraform-ci/s"
	for _, tt := range []struct {
		name  string
		actor model.Actor
		want  string
	}{
		{"GCP direct", model.Actor{Type: "ServiceAccount", ID: sa}, ""},
		{"GCP user first", model.Actor{Type: "ServiceAccount", ID: sa, OriginalCaller: "alice@example.com", Delegation: "alice@example.com, " + sa}, "alice@example.com"},
		{"GCP user: subject", model.Actor{Type: "ServiceAccount", ID: sa, OriginalCaller: "user:bob@example.com"}, "bob@example.com"},
		{"GCP configured SA first", model.Actor{Type: "ServiceAccount", ID: sa, OriginalCaller: "ci@build.iam.gserviceaccount.com"}, ""},
		{"GCP configured SA as subject", model.Actor{Type: "ServiceAccount", ID: sa, OriginalCaller: "serviceAccount:CI@build.iam.gserviceaccount.com"}, ""},
		{"GCP unconfigured SA first", model.Actor{Type: "ServiceAccount", ID: sa, OriginalCaller: "stray@dev.iam.gserviceaccount.com"}, "stray@dev.iam.gserviceaccount.com"},
		{"AWS source identity", model.Actor{Type: "AssumedRole", ID: role, OriginalCaller: "alice"}, "alice"},
		{"AWS source identity of a configured bot", model.Actor{Type: "AssumedRole", ID: role, OriginalCaller: "deploy-bot"}, ""},
		{"AWS web identity (CI OIDC)", model.Actor{Type: "AssumedRole", ID: role, OriginalCaller: "repo:org/infra:ref:refs/heads/main", Federation: "web-identity:token.actions.githubusercontent.com"}, ""},
		{"AWS plain session", model.Actor{Type: "AssumedRole", ID: role}, ""},
	} {
		if got := c.DrivenBy(tt.actor); got != tt.want {
			t.Errorf("%s: DrivenBy = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := (*Config)(nil).DrivenBy(model.Actor{OriginalCaller: "x"}); got != "" {
		t.Errorf("nil config: %q", got)
	}
}
