package content

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"cloudwall/internal/model"
)

// Guidance is the investigation and response template of an operation, or
// of the failed attempts (Content.Attempts) or the closing changes
// (Content.Closings) of one cloud.
type Guidance struct {
	Investigate []Step
	Respond     []Step
}

// Step is one guidance step. A step is text, or text that ends with ":"
// followed by one shell command (Run) that does what the text says. A
// command must run as printed once its placeholders are filled; a value the
// finding cannot know is written as a visible <PLACEHOLDER> and the text
// says where to find it.
type Step struct {
	// Text says what to do, in words.
	Text string
	// Run is the command, in POSIX shell syntax; "" for a text-only step.
	Run string
	// When limits the step to findings that meet a condition (Conditions);
	// "" means always.
	When string
}

// Conditions returns the names a step's when: may use, with their meaning.
// Besides these, "KEY=VALUE" holds when the event set the setting KEY to
// VALUE ("default_action=allow"), and "!NAME" negates any condition.
func Conditions() map[string]string {
	return map[string]string{
		"internet":                "the change exposes something to the whole internet",
		"internet-admin":          "the change exposes a remote administration port (the admin class of ports.yaml: SSH, RDP, ...) or all ports to the whole internet",
		"dry-run":                 "the call was an AWS dry run (DryRunOperation)",
		"via-service":             "a service made the call for the caller (AWS invokedBy: CloudFormation, ...): the address and user agent are the service's",
		"target-tags":             "GCP: the changed rules (or a setTags call) name network tags",
		"ip-permissions":          "AWS: the response of a security group authorize names no rule ids (no securityGroupRuleSet, as in older CloudTrail) and the request gives every added rule whole, so a revoke names the rules by content ({ip_permissions})",
		"created":                 "the call creates what it names (its verb is insert, addRule, create or create...: CreateIngressRule, CreateNetworkAclEntry; an Azure write whose records say Created)",
		"aws-iam-user":            "the caller is an IAM user",
		"aws-iam-user-key":        "the caller is an IAM user that signed with a long-term access key (AKIA...), or the log names no key",
		"aws-iam-user-session":    "the caller is an IAM user with temporary credentials (an ASIA... key: console sign-in, GetSessionToken), which deactivating an access key does not end",
		"aws-assumed-role":        "the caller is an assumed IAM role that is not an IAM Identity Center (SSO) permission set",
		"aws-sso":                 "the caller is an IAM Identity Center (SSO) user through a permission-set role",
		"aws-root":                "the caller is the account's root user",
		"azure-user":              "the caller is a user (signed in with a user principal name)",
		"azure-service-principal": "the caller is a service principal or managed identity",
		"gcp-service-account":     "the caller is a service account whose keys users manage",
		"gcp-service-agent":       "the caller is a Google-managed service account (a service agent such as service-NUMBER@compute-system.iam.gserviceaccount.com, or NUMBER@cloudservices.gserviceaccount.com): it has no user keys",
		"gcp-user":                "the caller is a user account",
	}
}

// KnownCondition reports whether when is "", a name in Conditions, a
// KEY=VALUE over a known setting key, or one of those negated with "!".
func KnownCondition(when string) bool {
	rest, neg := strings.CutPrefix(when, "!")
	if rest == "" {
		return !neg
	}
	when = rest
	if k, v, ok := strings.Cut(when, "="); ok {
		return knownSetting(k) && v == strings.ToLower(v)
	}
	_, ok := Conditions()[when]
	return ok
}

// String is the step as one line: the text, then the command.
func (s Step) String() string {
	if s.Run == "" {
		return s.Text
	}
	return s.Text + " " + s.Run
}

// rawStep is a step in YAML: a string (text only) or a mapping with text,
// run and when.
type rawStep struct {
	Text, Run, When string
	line            int
}

// UnmarshalYAML reads either form, strictly.
func (r *rawStep) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		r.Text = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: step field %q: want a string", v.Line, k.Value)
			}
			switch k.Value {
			case "text":
				r.Text = v.Value
			case "run":
				r.Run = v.Value
			case "when":
				r.When = v.Value
			default:
				return fmt.Errorf("line %d: field %s not found in type content.rawStep", k.Line, k.Value)
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: a guidance step is a string or a mapping with text, run and when", n.Line)
}

type rawGuidance struct {
	Investigate []rawStep `yaml:"investigate"`
	Respond     []rawStep `yaml:"respond"`
}

// guidance translates and checks a guidance template; bad reports an error
// at a line of the file.
func (d doc) guidance(r rawGuidance, bad func(line int, format string, args ...any)) Guidance {
	conv := func(raw []rawStep) []Step {
		var out []Step
		for _, s := range raw {
			st := Step{Text: strings.TrimSpace(s.Text), Run: strings.TrimSpace(s.Run), When: strings.TrimSpace(s.When)}
			switch {
			case st.Text == "":
				bad(s.line, "guidance step without text")
			case st.Run != "" && !strings.HasSuffix(st.Text, ":"):
				bad(s.line, "guidance step %q: the text of a step with a command ends with \":\"", st.Text)
			case strings.Contains(st.Run, "\n"):
				bad(s.line, "guidance step %q: one command per step, on one line", st.Text)
			case !KnownCondition(st.When):
				bad(s.line, "guidance step %q: unknown condition %q (want one of %s, KEY=VALUE of a setting, or !NAME)",
					st.Text, st.When, strings.Join(sortedKeys(Conditions()), ", "))
			}
			for _, t := range []string{st.Text, st.Run} {
				if p := unknownPlaceholder(t); p != "" {
					bad(s.line, "unknown placeholder {%s} in %q", p, t)
				}
				if strings.Contains(t, "{change}") {
					bad(s.line, "{change} is for titles only")
				}
			}
			out = append(out, st)
		}
		return out
	}
	return Guidance{Investigate: conv(r.Investigate), Respond: conv(r.Respond)}
}

// addCloudGuidance merges a per-cloud guidance section (attempts:,
// closings:) into dst.
func (b *builder) addCloudGuidance(d doc, section string, raw map[string]rawGuidance, dst *map[model.Cloud]Guidance) {
	for _, cloud := range sortedKeys(raw) {
		pos := d.at(d.node(section), cloud)
		c := model.Cloud(cloud)
		if c != model.AWS && c != model.Azure && c != model.GCP {
			b.errorf(pos, "%s: cloud %q: want aws, azure or gcp", section, cloud)
			continue
		}
		g := d.guidance(raw[cloud], func(line int, format string, args ...any) {
			b.errorf(fmt.Sprintf("%s:%d", d.name, line), "%s %s: %s", section, cloud, fmt.Sprintf(format, args...))
		})
		if len(g.Investigate) == 0 || len(g.Respond) == 0 {
			b.errorf(pos, "%s %s: guidance needs investigate and respond steps", section, cloud)
			continue
		}
		if *dst == nil {
			*dst = map[model.Cloud]Guidance{}
		}
		(*dst)[c] = g
	}
}
