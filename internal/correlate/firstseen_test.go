package correlate

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

func fact(kind, value string) model.FirstSeen { return model.FirstSeen{Kind: kind, Value: value} }

func TestFactsOf(t *testing.T) {
	tor := netip.MustParsePrefix("192.0.2.0/24")
	classes := func(a netip.Addr) []string {
		if tor.Contains(a) {
			return []string{"tor-exits"}
		}
		return nil
	}
	tests := []struct {
		name string
		f    model.Finding
		want []model.FirstSeen
	}{
		{"IAM user with a long-term key from a Tor exit", model.Finding{Actor: model.Actor{ID: "arn:aws:iam::1:user/Bob", AccessKey: "AKIAEXAMPLE"}, SourceIP: "192.0.2.44", UserAgent: "Boto3/1.34.69 md/Botocore#1.34.69", Region: "us-east-1"},
			[]model.FirstSeen{fact("actor", "arn:aws:iam::1:user/bob"), fact("access-key", "AKIAEXAMPLE"), fact("network", "192.0.2.0/24"), fact("network-class", "tor-exits"), fact("user-agent", "boto3"), fact("region", "us-east-1")}},
		{"session key, IPv6, resolved identity, global", model.Finding{Identity: "alice@example.com", Actor: model.Actor{ID: "arn:aws:sts::1:assumed-role/admin/alice", AccessKey: "ASIAEXAMPLE"}, SourceIP: "2001:db8:1:2::7", UserAgent: "[aws-cli/2.15.30 Python/3.11]", Region: "global"},
			[]model.FirstSeen{fact("actor", "alice@example.com"), fact("network", "2001:db8:1::/48"), fact("user-agent", "aws-cli")}},
		{"a service acting (no address)", model.Finding{Actor: model.Actor{ID: "x"}, SourceIP: "cloudformation.amazonaws.com", UserAgent: "cloudformation.amazonaws.com"},
			[]model.FirstSeen{fact("actor", "x"), fact("user-agent", "cloudformation.amazonaws.com")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FactsOf(&tt.f, classes); !slices.Equal(got, tt.want) {
				t.Errorf("facts %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestFirstSeenFinding: the most significant new fact names the rule, the
// member carries every new fact and links to it, and the first-seen
// finding is never above its member or the rule's base.
func TestFirstSeenFinding(t *testing.T) {
	floors := map[string]model.Severity{FirstSeenActor: model.Medium, FirstSeenNetwork: model.Low, FirstSeenNetworkClass: model.Medium, FirstSeenUserAgent: model.Low}
	tests := []struct {
		name   string
		member model.Severity
		tags   []string
		news   []model.FirstSeen
		rule   string
		want   model.Severity
	}{
		{"new actor on a critical change", model.Critical, nil, []model.FirstSeen{fact("network", "192.0.2.0/24"), fact("actor", "bob")}, FirstSeenActor, model.Medium},
		{"new network on a low change", model.Low, nil, []model.FirstSeen{fact("network", "192.0.2.0/24")}, FirstSeenNetwork, model.Low},
		{"new network class (a Tor exit) on a high change", model.High, nil, []model.FirstSeen{fact("network", "192.0.2.0/24"), fact("network-class", "tor-exits")}, FirstSeenNetworkClass, model.Medium},
		{"new actor on an info change", model.Info, nil, []model.FirstSeen{fact("actor", "bob")}, FirstSeenActor, model.Low},
		{"new user agent of configured automation", model.High, []string{"iac"}, []model.FirstSeen{fact("user-agent", "terraform")}, FirstSeenUserAgent, model.Low},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []model.Finding{{ID: "a", Severity: tt.member, Tags: tt.tags, Outcome: model.Success, SourceIP: "192.0.2.44"}, {ID: "b", Severity: model.High}}
			out := FirstSeen(fs, map[int][]model.FirstSeen{0: tt.news}, floors)
			if len(out) != 3 {
				t.Fatalf("%d findings", len(out))
			}
			c := out[2]
			if c.Rule != tt.rule || c.Severity != tt.want || len(c.Related) != 1 || c.Related[0].ID != "a" {
				t.Errorf("first-seen finding %s %s related %v; want %s %s", c.Rule, c.Severity, c.Related, tt.rule, tt.want)
			}
			m := out[0]
			if len(m.FirstSeen) != len(tt.news) || "first-seen-"+m.FirstSeen[0].Kind != tt.rule ||
				!slices.Contains(m.Related, model.Related{ID: c.ID, Correlation: tt.rule}) || m.Severity != tt.member {
				t.Errorf("member %+v", m)
			}
			// The title names the class of the source when one is new.
			if hasClass := slices.ContainsFunc(tt.news, func(x model.FirstSeen) bool { return x.Kind == "network-class" }); hasClass != strings.Contains(c.Title, "from 192.0.2.44 (tor-exits)") {
				t.Errorf("title %q (new network class: %v)", c.Title, hasClass)
			}
			if out[1].FirstSeen != nil || out[1].Related != nil {
				t.Errorf("other finding marked: %+v", out[1])
			}
		})
	}
}
