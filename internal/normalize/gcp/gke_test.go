package gcp

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestGKEAuthorizedNetworks: master authorized networks become one allow
// rule whose peers are the CIDR blocks; turning them off lets every
// address reach the public endpoint; calls that change something else,
// reads, and the last entry of an operation (request not logged) carry
// no rule.
func TestGKEAuthorizedNetworks(t *testing.T) {
	tests := []struct {
		fixture   string
		index     int
		effect    model.Effect
		peers     string // "" when no rule is read
		settings  string // key=value of every setting, sorted
		unlogged  bool
		wantNotes string
	}{
		{"gke_update_authnets_world.jsonl", 0, model.Altered, "203.0.113.0/24,0.0.0.0/0", "", false, ""},
		{"gke_update_authnets_world.jsonl", 1, "", "", "", true, ""},
		// The proto's JSON leaves a false "enabled" out.
		{"gke_update_authnets_disabled_beta.json", 0, model.Altered, "0.0.0.0/0", "enabled=false", false, "turned off"},
		{"gke_update_authnets_corporate.json", 0, model.Altered, "198.51.100.0/24", "", false, ""},
		{"gke_update_endpoints_config_world.json", 0, model.Altered, "0.0.0.0/0", "", false, ""},
		{"gke_update_authnets_denied.json", 0, model.Altered, "0.0.0.0/0", "", false, ""},
		{"gke_create_authnets_private.json", 0, model.Added, "10.0.0.0/8", "", false, ""},
		{"near_miss_gke_update_logging.json", 0, "", "", "", false, ""},
		{"near_miss_gke_get_cluster.json", 0, "", "", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			ev := parseFixture(t, "testdata/"+tt.fixture)[tt.index]
			if ev.Resource.Type != "gke_cluster" || ev.Resource.Name == "" {
				t.Errorf("resource = %+v", ev.Resource)
			}
			checkGKE(t, ev, tt.effect, tt.peers, tt.settings)
			if ev.ContentNotLogged != tt.unlogged {
				t.Errorf("content not logged = %v, want %v", ev.ContentNotLogged, tt.unlogged)
			}
			if tt.wantNotes != "" && !strings.Contains(strings.Join(ev.Notes, "\n"), tt.wantNotes) {
				t.Errorf("notes = %q, want one with %q", ev.Notes, tt.wantNotes)
			}
		})
	}
}

// TestGKERequestShapes covers request shapes no fixture holds.
func TestGKERequestShapes(t *testing.T) {
	tests := []struct {
		name, verb string
		req        map[string]any
		effect     model.Effect
		peers      string
		settings   string
	}{
		{"public endpoint off", "updatecluster", map[string]any{"update": map[string]any{"desiredControlPlaneEndpointsConfig": map[string]any{
			"ipEndpointsConfig": map[string]any{"enablePublicEndpoint": false}}}}, "", "", "public_network_access=disabled"},
		{"private endpoint only", "updatecluster", map[string]any{"update": map[string]any{"desiredEnablePrivateEndpoint": true}}, "", "", "public_network_access=disabled"},
		// gcloud --no-enable-private-endpoint: the public endpoint on.
		{"private endpoint off", "updatecluster", map[string]any{"update": map[string]any{"desiredEnablePrivateEndpoint": false}}, "", "", "public_network_access=enabled"},
		// Networks sent with the endpoint made private are read: they
		// wait for the endpoint, and the state needs them.
		{"private endpoint with networks off", "updatecluster", map[string]any{"update": map[string]any{"desiredEnablePrivateEndpoint": true,
			"desiredMasterAuthorizedNetworksConfig": map[string]any{"enabled": false}}}, model.Altered, "0.0.0.0/0", "enabled=false,public_network_access=disabled"},
		{"private endpoint with networks", "updatecluster", map[string]any{"update": map[string]any{"desiredEnablePrivateEndpoint": true,
			"desiredMasterAuthorizedNetworksConfig": map[string]any{"enabled": true, "cidrBlocks": []any{map[string]any{"cidrBlock": "0.0.0.0/0"}}}}},
			model.Altered, "0.0.0.0/0", "public_network_access=disabled"},
		{"public endpoint on, list not sent", "updatecluster", map[string]any{"update": map[string]any{"desiredControlPlaneEndpointsConfig": map[string]any{
			"ipEndpointsConfig": map[string]any{"enablePublicEndpoint": true}}}}, "", "", "public_network_access=enabled"},
		{"on with an empty list", "updatecluster", map[string]any{"update": map[string]any{"desiredMasterAuthorizedNetworksConfig": map[string]any{"enabled": true}}}, "", "", "enabled=true"},
		{"created without networks", "createcluster", map[string]any{"cluster": map[string]any{"name": "c1"}}, model.Added, "0.0.0.0/0", ""},
		{"created private", "createcluster", map[string]any{"cluster": map[string]any{"name": "c1", "privateClusterConfig": map[string]any{"enablePrivateEndpoint": true}}}, "", "", "public_network_access=disabled"},
		{"created with networks off", "createcluster", map[string]any{"cluster": map[string]any{"name": "c1", "masterAuthorizedNetworksConfig": map[string]any{"enabled": false}}}, model.Added, "0.0.0.0/0", "enabled=false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &model.Event{OperationKey: "google.container.v1.clustermanager." + tt.verb}
			r := &reader{ev: ev, req: tt.req}
			readContent(r)
			checkGKE(t, *ev, tt.effect, tt.peers, tt.settings)
		})
	}
}

func checkGKE(t *testing.T, ev model.Event, effect model.Effect, peers, settings string) {
	t.Helper()
	var got []string
	for _, c := range ev.Changes {
		if c.Effect != effect || c.Direction != model.Ingress || c.Action != model.Allow || c.Protocol != "tcp" || len(c.Ports) != 0 {
			t.Errorf("change = %+v: want %s ingress allow tcp, no ports (the catalogue names the API server)", c, effect)
		}
		got = append(got, peerStrings(c.Peers)...)
	}
	if strings.Join(got, ",") != peers {
		t.Errorf("peers = %q, want %q", got, peers)
	}
	var set []string
	for k, v := range ev.Settings {
		set = append(set, k+"="+v)
	}
	slices.Sort(set)
	if strings.Join(set, ",") != settings {
		t.Errorf("settings = %q, want %q", set, settings)
	}
}
