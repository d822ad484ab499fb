package azure

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestAKSAuthorizedIPRanges: the API server's authorized IP ranges are one
// allow rule; an empty list admits every address; a private cluster has
// no public endpoint; a write without the profile (scaling, upgrades) says
// nothing about it.
func TestAKSAuthorizedIPRanges(t *testing.T) {
	tests := []struct {
		name    string
		fixture string // or body
		body    string
		peers   string
		public  string
		// sent is Event.Sent: "-" for nil (the list not read), else the
		// fields joined; "" says the whole cluster was written without
		// the list (state reads the ranges removed when it knew some).
		sent string
	}{
		{name: "cleared", fixture: "aks_authorized_ranges_cleared", peers: "0.0.0.0/0", sent: "authorizedipranges"},
		{name: "corporate", fixture: "aks_authorized_ranges_corporate", peers: "198.51.100.0/24", sent: "authorizedipranges"},
		{name: "scale only", fixture: "nearmiss_aks_scale", sent: ""},
		{name: "private", body: `{"properties":{"apiServerAccessProfile":{"enablePrivateCluster":true}}}`, public: "disabled", sent: "-"},
		{name: "profile without list", body: `{"properties":{"apiServerAccessProfile":{"enablePrivateCluster":false}}}`, sent: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ev model.Event
			if tt.fixture != "" {
				ev = only(t, parseFile(t, "testdata/"+tt.fixture+".json"), 0)
			} else {
				ev = model.Event{OperationKey: "microsoft.containerservice/managedclusters/write"}
				p := &parser{ev: &ev, verb: "write"}
				p.body = mustObject(t, tt.body)
				p.props = p.body["properties"].(map[string]any)
				p.aksAPIServer()
			}
			var got []string
			for _, c := range ev.Changes {
				if c.Effect != model.Altered || c.Direction != model.Ingress || c.Action != model.Allow || c.Protocol != "tcp" || len(c.Ports) != 0 {
					t.Errorf("change = %+v", c)
				}
				for _, p := range c.Peers {
					got = append(got, p.String())
				}
			}
			if strings.Join(got, ",") != tt.peers || ev.Settings[model.SettingPublicAccess] != tt.public {
				t.Errorf("peers %q settings %v, want %q public_network_access %q", got, ev.Settings, tt.peers, tt.public)
			}
			sent := strings.Join(ev.Sent, ",")
			if ev.Sent == nil {
				sent = "-"
			}
			if sent != tt.sent {
				t.Errorf("sent %q, want %q", sent, tt.sent)
			}
			if tt.fixture != "" && ev.Resource.Type != "aks_cluster" {
				t.Errorf("resource = %+v", ev.Resource)
			}
		})
	}
}
