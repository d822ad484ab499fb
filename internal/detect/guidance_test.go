package detect

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// allGuidance is every step of a finding, one per line.
func allGuidance(f model.Finding) string {
	return strings.Join(append(append([]string{}, f.Guidance.Investigate...), f.Guidance.Respond...), "\n")
}

// checkGuidance checks the guidance g holds every want and, letter case
// aside, no forbid.
func checkGuidance(t *testing.T, g string, want, forbid []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(g, w) {
			t.Errorf("guidance lacks %q:\n%s", w, g)
		}
	}
	for _, w := range forbid {
		if strings.Contains(strings.ToLower(g), strings.ToLower(w)) {
			t.Errorf("guidance holds %q:\n%s", w, g)
		}
	}
}

// TestGuidanceFitsWhatHappened checks that the steps match the outcome,
// the exposure and the direction of the change.
func TestGuidanceFitsWhatHappened(t *testing.T) {
	world := sgIngress(withName(rule("tcp", port(22), cidr("0.0.0.0/0")), "sgr-1"))
	private := sgIngress(withName(rule("tcp", port(22), cidr("10.0.0.0/8")), "sgr-1"))
	denied := sgIngress(withName(rule("tcp", port(22), cidr("0.0.0.0/0")), "sgr-1"))
	denied.Outcome, denied.ErrorCode = model.Failure, "Client.UnauthorizedOperation"
	denied.Operation = "AuthorizeSecurityGroupIngress"
	dry := sgIngress(withName(rule("tcp", port(22), cidr("0.0.0.0/0")), "sgr-1"))
	dry.Outcome, dry.ErrorCode = model.Failure, "Client.DryRunOperation"
	vnet := event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write",
		rule("tcp", port(22), tag("VirtualNetwork")))
	vnet.Actor = model.Actor{Type: "User", ID: "0000-user", Name: "ops@example.com"}
	vnet.Resource = model.Resource{Type: "nsg_rule", Name: "r1",
		ID: "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-app/securityRules/r1"}
	internet := *vnet
	internet.Changes = []model.RuleChange{rule("tcp", port(22), tag("Internet"))}
	kv := func(settings map[string]string) *model.Event {
		ev := event(model.Azure, "microsoft.keyvault/vaults/write")
		ev.Actor = vnet.Actor
		ev.Resource = model.Resource{Type: "key_vault", Name: "kv-1",
			ID: "/subscriptions/s/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-1"}
		ev.Settings = settings
		return ev
	}
	web := sgIngress(withName(rule("tcp", port(443), cidr("0.0.0.0/0")), "sgr-1"))
	webNSG := *vnet
	webNSG.Changes = []model.RuleChange{rule("tcp", port(443), tag("Internet"))}
	noIP := sgIngress(withName(rule("tcp", port(22), cidr("0.0.0.0/0")), "sgr-1"))
	noIP.SourceIP, noIP.UserAgent = "", ""
	viaCFN := sgIngress(withName(rule("tcp", port(443), cidr("10.0.0.0/8")), "sgr-1"))
	viaCFN.SourceIP, viaCFN.UserAgent, viaCFN.Actor.ViaService = "AWS Internal", "AWS Internal", "cloudformation.amazonaws.com"
	armor := func(key string, settings map[string]string) *model.Event {
		c := rule("all", nil, model.Peer{Kind: model.PeerAny, Value: "*"})
		c.Priority = model.IntPtr(0)
		ev := event(model.GCP, key, c)
		ev.Account, ev.Actor = "proj-cw", model.Actor{Type: "user", ID: "alice@example.com", Name: "alice@example.com"}
		ev.Resource = model.Resource{Type: "cloud_armor_policy", ID: "projects/proj-cw/global/securityPolicies/armor-pol", Name: "armor-pol"}
		ev.Settings = settings
		return ev
	}
	closed := kv(map[string]string{model.SettingDefaultAction: "deny", model.SettingPublicAccess: "enabled"})
	opened := kv(map[string]string{model.SettingDefaultAction: "allow"})

	tests := []struct {
		name      string
		ev        *model.Event
		want      []string // substrings the guidance must hold
		forbid    []string // and must not
		titleNot  string
		maxSev    model.Severity
		checkSevs bool
	}{
		{name: "world-open gets internet advice and the undo", ev: world,
			want: []string{"Session Manager", "revoke-security-group-ingress --region us-east-1 --group-id sg-0abc --security-group-rule-ids sgr-1"}},
		{name: "private range gets no internet advice", ev: private,
			want: []string{"revoke-security-group-ingress"}, forbid: []string{"Session Manager", "internet"}},
		{name: "denied attempt is about the caller, not the rule", ev: denied,
			want:   []string{"simulate-principal-policy --policy-source-arn arn:aws:iam::111122223333:user/alice --action-names ec2:AuthorizeSecurityGroupIngress", "did not take effect", "update-access-key --user-name alice"},
			forbid: []string{"revoke-security-group-ingress", "remove the rule", "Session Manager"}},
		{name: "dry run says the caller holds the permission", ev: dry,
			want: []string{"could make this change for real", "remove the permission"}, forbid: []string{"revoke-security-group-ingress", "did not take effect"}},
		{name: "VirtualNetwork gets no internet advice", ev: vnet,
			want:   []string{"az network nsg rule list --resource-group rg-app --nsg-name nsg-app -o table"},
			forbid: []string{"Bastion", "internet"}},
		{name: "Internet service tag gets internet advice", ev: &internet, want: []string{"Bastion"}},
		// Remote-access advice (SSM, Bastion, IAP) is for admin ports.
		{name: "world-open web port gets no remote-access advice", ev: web,
			want: []string{"revoke-security-group-ingress"}, forbid: []string{"Session Manager"}},
		{name: "world-open web port on an NSG gets no Bastion advice", ev: &webNSG, forbid: []string{"Bastion"}},
		{name: "a call a service made for the caller is not told apart by its address", ev: viaCFN,
			want: []string{"cloudformation.amazonaws.com made the call for"}, forbid: []string{"a call from AWS Internal"}},
		// Undoing an added Cloud Armor rule deletes it: turning its
		// match-everything into deny-403 would block every request.
		{name: "an added Cloud Armor rule is deleted", ev: armor("compute.securitypolicies.addrule", nil),
			want: []string{"gcloud compute security-policies rules delete 0 --security-policy armor-pol --project proj-cw --quiet"}, forbid: []string{"--action deny-403"}},
		{name: "a Cloud Armor rule put in preview is enforced again", ev: armor("compute.securitypolicies.patchrule", map[string]string{model.SettingPreview: "true"}),
			want: []string{"rules update 0 --security-policy armor-pol --no-preview --project proj-cw"}, forbid: []string{"rules delete", "--action deny-403"}},
		{name: "a record without address says so in prose", ev: noIP,
			want: []string{"a call from (not logged) with user agent (not logged)"}, forbid: []string{"<SOURCE_IP>", "<USER_AGENT>"}},
		{name: "key vault set to deny is not told to set it back", ev: closed,
			forbid: []string{"back to Deny", "--default-action Deny"}, titleNot: "public network access enabled",
			maxSev: model.Info, checkSevs: true},
		{name: "key vault opened is told to set it back", ev: opened,
			want: []string{"az keyvault update --name kv-1 --resource-group rg-sec --default-action Deny"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := evaluate(t, tt.ev)
			g := allGuidance(f)
			checkGuidance(t, g, tt.want, tt.forbid)
			if tt.titleNot != "" && strings.Contains(f.Title, tt.titleNot) {
				t.Errorf("title %q says %q", f.Title, tt.titleNot)
			}
			if tt.checkSevs && f.Severity > tt.maxSev {
				t.Errorf("severity %s, want at most %s (%v)", f.Severity, tt.maxSev, f.Reasons)
			}
		})
	}
}

func withName(ch model.RuleChange, name string) model.RuleChange {
	ch.Name = name
	return ch
}

// TestGuidanceCallerCommands checks the credential steps fit the caller:
// its key and user, its role and session, a placeholder where the log has
// no key.
func TestGuidanceCallerCommands(t *testing.T) {
	user := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	user.Actor.Session, user.Actor.AccessKey = "AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"
	// An IAM user signed in to the console (or with GetSessionToken)
	// signs with a temporary key that update-access-key cannot touch.
	userSession := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	userSession.Actor.Session, userSession.Actor.AccessKey = "ASIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"
	userNoKey := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	role := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	role.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-7",
		Name: "deploy", Session: "ASIAIOSFODNN7EXAMPLE", AccessKey: "ASIAIOSFODNN7EXAMPLE"}
	roleNoKey := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	roleNoKey.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-7", Name: "deploy"}
	sso := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	sso.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/bob@example.com"}
	ssoPath := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	ssoPath.Actor = sso.Actor
	ssoPath.Actor.SessionIssuer = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123"
	// A role anyone may create with Identity Center's name prefix, outside
	// its path: an ordinary role, whose sessions IAM can revoke.
	ssoNamed := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	ssoNamed.Actor = model.Actor{Type: "AssumedRole", ID: sso.Actor.ID, Name: "AWSReservedSSO_Admin_0123", Role: "AWSReservedSSO_Admin_0123",
		SessionIssuer: "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123"}
	sa := event(model.GCP, "compute.firewalls.insert", rule("tcp", port(22), cidr("0.0.0.0/0")))
	sa.Account = "proj-1"
	sa.Resource = model.Resource{Type: "vpc_firewall_rule", Name: "fw-1", ID: "projects/proj-1/global/firewalls/fw-1"}
	sa.Actor = model.Actor{Type: "ServiceAccount", ID: "ci@proj-1.iam.gserviceaccount.com",
		Session: "//iam.googleapis.com/projects/proj-1/serviceAccounts/ci@proj-1.iam.gserviceaccount.com/keys/0123abcd"}
	saNoKey := *sa
	saNoKey.Actor.Session = ""
	// Google-managed accounts have no keys a user could disable.
	var agents []*model.Event
	for _, id := range []string{"service-123456789012@compute-system.iam.gserviceaccount.com",
		"service-123456789012@container-engine-robot.iam.gserviceaccount.com",
		"service-123456789012@gcp-sa-networkconnectivity.iam.gserviceaccount.com",
		"123456789012@cloudservices.gserviceaccount.com"} {
		a := *sa
		a.Actor = model.Actor{Type: "ServiceAccount", ID: id}
		agents = append(agents, &a)
	}
	// The default accounts take user keys: they keep the key step.
	computeDefault := *sa
	computeDefault.Actor = model.Actor{Type: "ServiceAccount", ID: "123456789012-compute@developer.gserviceaccount.com"}
	// Azure: the record id and the request's correlation id.
	az := event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", rule("tcp", port(22), cidr("0.0.0.0/0")))
	az.Account = "00000000-1111-2222-3333-444444444444"
	az.Resource = model.Resource{Type: "nsg_rule", ID: "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-1/securityRules/r1"}
	az.Actor = model.Actor{Type: "User", ID: "11111111-aaaa-4bbb-8ccc-000000000001", Name: "ops@contoso.example"}
	az.EventID = "9f3c0a8e-0000-4000-8000-00000000e1d1"
	az.OperationID = "5d2c0a8e-0000-4000-8000-00000000c0c0|microsoft.network/networksecuritygroups/securityrules/write|" + strings.ToLower(az.Resource.ID)
	azNoCorr := *az
	azNoCorr.OperationID = azNoCorr.EventID
	tests := []struct {
		name   string
		ev     *model.Event
		want   []string
		forbid []string
	}{
		{"IAM user key", user, []string{
			"aws iam update-access-key --user-name alice --access-key-id AKIAIOSFODNN7EXAMPLE --status Inactive",
			"--lookup-attributes AttributeKey=AccessKeyId,AttributeValue=AKIAIOSFODNN7EXAMPLE"}, []string{"put-role-policy"}},
		{"assumed role", role, []string{
			`aws iam put-role-policy --role-name deploy --policy-name cloudwall-revoke-older-sessions --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-03-04T05:06:07Z"}}}]}'`},
			[]string{"update-access-key"}},
		{"IAM user with a temporary key: deny older sessions, not update-access-key", userSession, []string{
			`aws iam put-user-policy --user-name alice --policy-name cloudwall-revoke-older-sessions --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2025-03-04T05:06:07Z"}}}]}'`,
			"--lookup-attributes AttributeKey=AccessKeyId,AttributeValue=ASIAIOSFODNN7EXAMPLE"},
			[]string{"update-access-key", "put-role-policy"}},
		{"IAM user, key not logged: a placeholder and where to find it", userNoKey, []string{
			"aws iam update-access-key --user-name alice --access-key-id '<ACCESS_KEY>' --status Inactive",
			"aws iam list-access-keys --user-name alice",
			"--lookup-attributes AttributeKey=Username,AttributeValue=alice"}, []string{"put-user-policy"}},
		{"assumed role without a key: lookup by session name", roleNoKey, []string{
			"--lookup-attributes AttributeKey=Username,AttributeValue=ci-run-7"}, []string{"AttributeValue=deploy"}},
		{"SSO user", sso, []string{"IAM Identity Center"}, []string{"put-role-policy", "update-access-key"}},
		{"SSO user, issuer on Identity Center's path", ssoPath, []string{"IAM Identity Center"}, []string{"put-role-policy", "update-access-key"}},
		{"role named like Identity Center's outside its path: an ordinary role", ssoNamed, []string{"aws iam put-role-policy --role-name AWSReservedSSO_Admin_0123"}, []string{"IAM Identity Center"}},
		{"GCP key", sa, []string{
			"gcloud iam service-accounts keys disable 0123abcd --iam-account ci@proj-1.iam.gserviceaccount.com --project proj-1"}, nil},
		{"GCP key not logged", &saNoKey, []string{
			"gcloud iam service-accounts keys disable '<KEY_ID>' --iam-account", "serviceAccountKeyName"}, nil},
		{"GCP service agent", agents[0], []string{"Google-managed service account"}, []string{"keys disable", "keys list"}},
		{"GKE robot", agents[1], []string{"Google-managed service account"}, []string{"keys disable"}},
		{"gcp-sa service agent", agents[2], []string{"Google-managed service account"}, []string{"keys disable"}},
		{"Google APIs service agent", agents[3], []string{"Google-managed service account"}, []string{"keys disable"}},
		{"Compute Engine default account", &computeDefault, []string{
			"gcloud iam service-accounts keys disable '<KEY_ID>' --iam-account 123456789012-compute@developer.gserviceaccount.com"},
			[]string{"Google-managed"}},
		{"Azure record and correlation id", az, []string{
			"(record 9f3c0a8e-0000-4000-8000-00000000e1d1:",
			"az monitor activity-log list --subscription 00000000-1111-2222-3333-444444444444 --correlation-id 5d2c0a8e-0000-4000-8000-00000000c0c0 --start-time"}, nil},
		{"Azure record without a correlation id", &azNoCorr, []string{
			"(record 9f3c0a8e-0000-4000-8000-00000000e1d1:", "--correlation-id '<CORRELATION_ID>'"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := allGuidance(evaluate(t, tt.ev))
			checkGuidance(t, g, tt.want, tt.forbid)
		})
	}
}

// TestGuidanceCommandsSplit checks that Commands name each command once,
// as it ends its step, and that Split gives the text back.
func TestGuidanceCommandsSplit(t *testing.T) {
	f := evaluate(t, sgIngress(withName(rule("tcp", port(22), cidr("0.0.0.0/0")), "sgr-1"),
		withName(rule("tcp", port(3389), cidr("::/0")), "sgr-2")))
	g := f.Guidance
	if len(g.Commands) == 0 {
		t.Fatal("no commands")
	}
	for _, c := range g.Commands {
		text, run := g.Split(c.Step, c.Index)
		if run != c.Run || !strings.HasSuffix(text, ":") {
			t.Errorf("Split(%s, %d) = %q, %q; want text ending in ':' and %q", c.Step, c.Index, text, run, c.Run)
		}
	}
	if !strings.Contains(allGuidance(f), "--security-group-rule-ids sgr-1 sgr-2") {
		t.Errorf("rule ids not space separated:\n%s", allGuidance(f))
	}
}

// TestCommandQuoting checks that values an attacker controls (a rule
// name, a session name) stay one shell word, and that a shell reading the
// command sees the value unchanged.
func TestCommandQuoting(t *testing.T) {
	hostile := []string{"x; rm -rf ~", "a'b", `$(id)`, "`id`", "a b", "*", `"q"`, "new\nline", ""}
	for _, h := range hostile {
		vals := map[string]string{"region": "us-east-1", "resource_name": h, "actor": h}
		for _, tmpl := range []string{
			"aws lightsail get-instance-port-states --region {region} --instance-name {resource_name}",
			`gcloud logging read 'principalEmail="{actor}"' --project p`,
			`echo "x{actor}y"`,
		} {
			cmd := expandCommand(tmpl, vals, nil)
			words := shellWords(t, cmd)
			if h == "" {
				// The placeholder reaches the command unchanged: one
				// word of its own, or inside the quoted word.
				if !slices.Contains(words, "<RESOURCE_NAME>") && !slices.ContainsFunc(words, func(w string) bool { return strings.Contains(w, "<ACTOR>") }) {
					t.Errorf("empty value not shown as a placeholder: %s", cmd)
				}
				continue
			}
			switch {
			case strings.HasPrefix(tmpl, "aws"):
				if words[len(words)-1] != h {
					t.Errorf("%q: last word %q, want the value unchanged (%s)", h, words[len(words)-1], cmd)
				}
			case strings.HasPrefix(tmpl, "gcloud"):
				if words[3] != `principalEmail="`+h+`"` {
					t.Errorf("%q: filter word %q (%s)", h, words[3], cmd)
				}
			default:
				if words[1] != "x"+h+"y" {
					t.Errorf("%q: word %q (%s)", h, words[1], cmd)
				}
			}
		}
	}
}

// TestPlaceholderQuoting: a <NAME> in a printed command, for a value the
// event lacks or written by the template itself, is one shell word the
// shell reads literally: outside quotes in single quotes (bare, <NAME>
// would read a file and > write one), inside a quoted argument as it is,
// not quoted again.
func TestPlaceholderQuoting(t *testing.T) {
	vals := map[string]string{"region": "us-east-1", "scope": "", "actor": "", "resource_id": ""}
	tests := []struct {
		tmpl, want string
		words      []string
	}{
		{"aws wafv2 get-ip-set --region {region} --scope {scope}", "aws wafv2 get-ip-set --region us-east-1 --scope '<SCOPE>'",
			[]string{"aws", "wafv2", "get-ip-set", "--region", "us-east-1", "--scope", "<SCOPE>"}},
		{"aws ec2 modify-instance-attribute --groups <SG_IDS>", "aws ec2 modify-instance-attribute --groups '<SG_IDS>'",
			[]string{"aws", "ec2", "modify-instance-attribute", "--groups", "<SG_IDS>"}},
		{"aws ec2 x --remove-entries Cidr=<CIDR>", "aws ec2 x --remove-entries Cidr='<CIDR>'",
			[]string{"aws", "ec2", "x", "--remove-entries", "Cidr=<CIDR>"}},
		{`gcloud logging read 'principalEmail="{actor}" AND timestamp<="{end}"' --project p`,
			`gcloud logging read 'principalEmail="<ACTOR>" AND timestamp<="<END>"' --project p`,
			[]string{"gcloud", "logging", "read", `principalEmail="<ACTOR>" AND timestamp<="<END>"`, "--project", "p"}},
		{`aws x --query "Rules[?Id=='{resource_id}'] | <X>"`, `aws x --query "Rules[?Id=='<RESOURCE_ID>'] | <X>"`,
			[]string{"aws", "x", "--query", "Rules[?Id=='<RESOURCE_ID>'] | <X>"}},
		{"aws x --a <A> --b '<B>' --c", "aws x --a '<A>' --b '<B>' --c",
			[]string{"aws", "x", "--a", "<A>", "--b", "<B>", "--c"}},
	}
	for _, tt := range tests {
		got := expandCommand(tt.tmpl, vals, nil)
		if got != tt.want {
			t.Errorf("expandCommand(%q) = %q, want %q", tt.tmpl, got, tt.want)
			continue
		}
		if w := shellWords(t, got); !slices.Equal(w, tt.words) {
			t.Errorf("%s: words %q, want %q", got, w, tt.words)
		}
	}
}

// shellWords splits cmd as a shell would, failing on anything a shell
// would treat specially outside quotes.
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	w, err := testutil.ShellWords(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	return w
}

// TestPlaceholdersSayWhere: over every step of every rule (and the
// attempt and closing guidance of each cloud), rendered for an event that carries no
// values, each command splits as shell words (its placeholders quoted),
// and each <NAME> a printed command shows has beside it where to find
// the value: a hint naming the placeholder, or, for a placeholder the
// catalogue writes itself (<SG_IDS>), the step's own explanation in
// parentheses.
func TestPlaceholdersSayWhere(t *testing.T) {
	d := detector(t)
	type step struct {
		rule string
		s    content.Step
	}
	var steps []step
	for _, op := range d.c.Operations {
		for _, s := range append(slices.Clone(op.Guidance.Investigate), op.Guidance.Respond...) {
			steps = append(steps, step{op.ID, s})
		}
	}
	for cloud, g := range d.c.Attempts {
		for _, s := range append(slices.Clone(g.Investigate), g.Respond...) {
			steps = append(steps, step{"attempt-" + string(cloud), s})
		}
	}
	for cloud, g := range d.c.Closings {
		for _, s := range append(slices.Clone(g.Investigate), g.Respond...) {
			steps = append(steps, step{"closing-" + string(cloud), s})
		}
	}
	ev := &model.Event{OperationKey: "x", Outcome: model.Success}
	vals := placeholders(ev, &verdict{}, false)
	where := content.PlaceholderWhere()
	shown := 0
	for _, st := range steps {
		if st.s.Run == "" {
			continue
		}
		run := expandCommand(st.s.Run, vals, map[string][]string{})
		if _, err := testutil.ShellWords(run); err != nil {
			// Pasted unfilled, a bare <NAME> redirects.
			t.Errorf("%s: %s: %v", st.rule, run, err)
		}
		text := whereToFind(expand(st.s.Text, vals, false), run)
		for _, m := range placeholderRE.FindAllStringSubmatch(run, -1) {
			shown++
			_, computed := where[strings.ToLower(m[1])]
			switch {
			case strings.Contains(text, m[0]):
			case !computed && strings.Contains(text, "("):
			default:
				t.Errorf("%s: %s stands with nothing saying where to find it:\n%s %s", st.rule, m[0], text, run)
			}
		}
	}
	if shown < 50 {
		t.Errorf("only %d placeholders shown over %d steps: the event was not bare", shown, len(steps))
	}
	for name := range content.Placeholders() {
		if where[name] == "" {
			t.Errorf("placeholder {%s} has no content.PlaceholderWhere entry", name)
		}
	}
}

// TestClosingGuidance: a change that only narrows access (a deny added,
// an allow removed, a setting that hardens) gets guidance for a closing,
// on every cloud: confirm it was intended, check it broke nothing and
// hides no opening; nothing to contain, no "delete the rule", no
// compromised-credentials steps. A change that also opens, removes a rule
// of unknown action, or did not take effect keeps its own guidance.
func TestClosingGuidance(t *testing.T) {
	deny := func(ch model.RuleChange) model.RuleChange { ch.Action = model.Deny; return ch }
	removed := func(ch model.RuleChange) model.RuleChange { ch.Effect = model.Removed; return ch }
	gcp := func(key string, changes ...model.RuleChange) *model.Event {
		ev := event(model.GCP, key, changes...)
		ev.Account, ev.Region = "test-project-123456", "global"
		ev.Actor = model.Actor{Type: "User", ID: "user@domain.com", Name: "user"}
		ev.Resource = model.Resource{Type: "vpc_firewall_rule", ID: "projects/test-project-123456/global/firewalls/firewall-create", Name: "firewall-create"}
		return ev
	}
	nsgRule := func(changes ...model.RuleChange) *model.Event {
		ev := event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", changes...)
		ev.Actor = model.Actor{Type: "User", ID: "0000-user", Name: "ops@example.com"}
		ev.Resource = model.Resource{Type: "nsg_rule", Name: "r1",
			ID: "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-app/securityRules/r1"}
		return ev
	}
	// The real Panther record (GCP_AuditLog.jsonl line 37): an insert of
	// denieds [{IPProtocol: all}], read as a deny of everything.
	gcpDenyAll := gcp("compute.firewalls.insert", deny(rule("all", nil, cidr("0.0.0.0/0"))))
	failedDeny := gcp("compute.firewalls.insert", deny(rule("all", nil, cidr("0.0.0.0/0"))))
	failedDeny.Outcome, failedDeny.ErrorCode = model.Failure, "PERMISSION_DENIED"
	waf := event(model.AWS, "wafv2:updatewebacl")
	waf.Resource = model.Resource{Type: "web_acl", ID: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", Name: "web-acl-1"}
	waf.Settings = map[string]string{model.SettingDefaultAction: "deny"}

	closing := []string{"Nothing to contain", "broke nothing", "hides nothing"}
	opening := []string{"compromised", "delete the rule", "allowed by the rule", "remove the rule", "firewall-rules delete",
		"revoke-security-group-ingress", "update-access-key", "keys disable", "revokeSignInSessions", "Nothing to undo"}
	for _, tt := range []struct {
		name   string
		ev     *model.Event
		want   []string
		forbid []string
	}{
		{"GCP deny rule added", gcpDenyAll, append(closing, "jsonPayload.disposition=\"DENIED\"", "gcloud logging read 'protoPayload.authenticationInfo.principalEmail=\"user@domain.com\""), opening},
		{"AWS NACL allow entry replaced by a deny", func() *model.Event {
			ch := deny(rule("tcp", port(22), cidr("0.0.0.0/0")))
			ch.Effect = model.Altered
			ev := event(model.AWS, "ec2:replacenetworkaclentry", ch)
			ev.Resource = model.Resource{Type: "network_acl", ID: "acl-1"}
			return ev
		}(), append(closing, "aws cloudtrail lookup-events"), opening},
		{"AWS NACL deny entry added", func() *model.Event {
			ev := event(model.AWS, "ec2:createnetworkaclentry", deny(rule("tcp", port(22), cidr("0.0.0.0/0"))))
			ev.Resource = model.Resource{Type: "network_acl", ID: "acl-1"}
			return ev
		}(), closing, opening},
		{"AWS WAF default action set to block", waf, closing, opening},
		{"Azure NSG deny rule written", nsgRule(deny(rule("tcp", port(22), tag("Internet")))),
			append(closing, "NSG or VNet flow logs", "az monitor activity-log list"), opening},

		// A revoke's own guidance is written for a closing: it stays.
		{"AWS revoke keeps its own closing guidance", event(model.AWS, "ec2:revokesecuritygroupingress", removed(rule("tcp", port(22), cidr("10.0.0.0/8")))),
			[]string{"Usually no action"}, opening},
		// Not closing only: the operation's or the attempt's guidance.
		{"GCP allow rule added", gcp("compute.firewalls.insert", rule("tcp", port(22), cidr("0.0.0.0/0"))),
			[]string{"delete the rule", "allowed by the rule"}, closing},
		{"Azure NSG write that denies and allows", nsgRule(deny(rule("tcp", port(22), tag("Internet"))), rule("tcp", port(3389), tag("Internet"))),
			[]string{"Bastion"}, closing},
		{"GCP rule deleted, action not logged", gcp("compute.firewalls.delete", model.RuleChange{Effect: model.Removed, Name: "firewall-create"}),
			[]string{"If a deny rule was removed"}, closing},
		{"GCP deny insert denied", failedDeny, []string{"Nothing to undo"}, closing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := evaluate(t, tt.ev)
			g := allGuidance(f)
			checkGuidance(t, g, tt.want, tt.forbid)
		})
	}
}

// TestGuidanceCreatedOrChanged: an App Engine rule the call created is
// deleted if not approved, one it changed is restored; the priority comes
// from the rule's name when the log has no body.
func TestGuidanceCreatedOrChanged(t *testing.T) {
	gae := func(key, id, name string) *model.Event {
		ev := event(model.GCP, key)
		ev.Account, ev.Region = "p1", "global"
		ev.Actor = model.Actor{Type: "User", ID: "user@domain.com", Name: "user"}
		ev.Resource = model.Resource{Type: "appengine_firewall_rule", ID: id, Name: name}
		return ev
	}
	for _, tt := range []struct {
		name      string
		ev        *model.Event
		want      string
		forbidden string
	}{
		{"created, named by priority", gae("google.appengine.v1.firewall.createingressrule", "apps/p1", "100"),
			"gcloud app firewall-rules delete 100 --project p1 --quiet", "firewall-rules update"},
		{"created, app only", gae("google.appengine.v1.firewall.createingressrule", "apps/p1", ""),
			"gcloud app firewall-rules delete '<PRIORITY>' --project p1 --quiet", "firewall-rules update"},
		{"changed, priority from the resource name", gae("google.appengine.v1.firewall.updateingressrule", "apps/p1/firewall/ingressRules/1000", "1000"),
			"gcloud app firewall-rules update 1000 --action deny --project p1", "firewall-rules delete"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := allGuidance(evaluate(t, tt.ev))
			if !strings.Contains(g, tt.want) || strings.Contains(g, tt.forbidden) {
				t.Errorf("want %q, not %q:\n%s", tt.want, tt.forbidden, g)
			}
		})
	}
}

// TestWAFv2Scope: the wafv2 commands address the resource in the scope
// its call logged, and a CLOUDFRONT-scope resource in us-east-1, the
// only region whose API serves it, whatever region the record names; a
// scope not logged is a quoted placeholder with where to find it.
func TestWAFv2Scope(t *testing.T) {
	tests := []struct {
		name, key, typ, scope, region string
		want                          string // the wafv2 command
	}{
		{"web ACL update, regional", "wafv2:updatewebacl", "web_acl", "REGIONAL", "eu-west-1",
			"aws wafv2 get-web-acl --region eu-west-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope REGIONAL"},
		{"web ACL update, CloudFront", "wafv2:updatewebacl", "web_acl", "CLOUDFRONT", "us-east-1",
			"aws wafv2 get-web-acl --region us-east-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope CLOUDFRONT"},
		{"CloudFront scope logged in another region", "wafv2:updatewebacl", "web_acl", "CLOUDFRONT", "eu-west-1",
			"aws wafv2 get-web-acl --region us-east-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope CLOUDFRONT"},
		{"IP set update, CloudFront", "wafv2:updateipset", "ip_set", "CLOUDFRONT", "us-east-1",
			"aws wafv2 get-ip-set --region us-east-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope CLOUDFRONT"},
		{"rule group update, regional", "wafv2:updaterulegroup", "rule_group", "REGIONAL", "ap-south-1",
			"aws wafv2 get-rule-group --region ap-south-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope REGIONAL"},
		{"web ACL delete, CloudFront", "wafv2:deletewebacl", "web_acl", "CLOUDFRONT", "us-east-1",
			"aws wafv2 list-web-acls --region us-east-1 --scope CLOUDFRONT"},
		{"IP set delete, regional", "wafv2:deleteipset", "ip_set", "REGIONAL", "eu-west-1",
			"aws wafv2 list-web-acls --region eu-west-1 --scope REGIONAL"},
		{"scope not logged", "wafv2:updatewebacl", "web_acl", "", "eu-west-1",
			"aws wafv2 get-web-acl --region eu-west-1 --name acl-1 --id a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 --scope '<SCOPE>'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := event(model.AWS, tt.key)
			ev.Region = tt.region
			ev.Resource = model.Resource{Type: tt.typ, ID: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", Name: "acl-1", Scope: tt.scope}
			f := evaluate(t, ev)
			var wafv2 []string
			for _, c := range f.Guidance.Commands {
				if strings.HasPrefix(c.Run, "aws wafv2 ") {
					wafv2 = append(wafv2, c.Run)
				}
			}
			if len(wafv2) == 0 || wafv2[0] != tt.want {
				t.Fatalf("wafv2 commands %q, want %q first", wafv2, tt.want)
			}
			// The others (the web ACLs and rule groups that may use an
			// IP set) address the same region and scope.
			where := regexp.MustCompile(`--region \S+|--scope \S+`).FindAllString(tt.want, -1)
			for _, c := range wafv2[1:] {
				for _, w := range where {
					if !strings.Contains(c, w+" ") && !strings.HasSuffix(c, w) {
						t.Errorf("%q lacks %q", c, w)
					}
				}
			}
			if tt.scope == "" && !strings.Contains(allGuidance(f), "<SCOPE>: the scope is the call's requestParameters.scope") {
				t.Errorf("no hint for <SCOPE>:\n%s", allGuidance(f))
			}
		})
	}
}
