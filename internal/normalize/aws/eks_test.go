package aws

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestEKSEndpointAccess: the allowlist of an EKS cluster's public API
// endpoint is read as one allow rule whose peers are publicAccessCidrs,
// and turning the public endpoint on or off as public_network_access;
// a list sent with the endpoint turned off is read too (EKS keeps it for
// when the endpoint is turned on). Calls that change something else
// carry neither.
func TestEKSEndpointAccess(t *testing.T) {
	tests := []struct {
		fixture string
		effect  model.Effect
		peers   string // "" when no rule is read
		public  string // public_network_access, "" when not set
		note    string
	}{
		{"eks_update_cluster_config_world", model.Altered, "0.0.0.0/0", "", "replace the cluster's whole list"},
		{"eks_update_cluster_config_corporate", model.Altered, "198.51.100.0/24", "", "replace the cluster's whole list"},
		{"eks_update_cluster_config_private_only", "", "", "disabled", ""},
		// Off, with a list: the list is read, to wait for the endpoint.
		{"eks_update_cluster_config_off_with_cidrs", model.Altered, "0.0.0.0/0", "disabled", "admit no one until a later call turns it on"},
		{"eks_update_cluster_config_denied", model.Altered, "0.0.0.0/0", "", ""},
		// Created without a list: the response gives EKS's default.
		{"eks_create_cluster_default", model.Added, "0.0.0.0/0", "", ""},
		{"near_eks_update_cluster_config_logging", "", "", "", ""},
		{"near_eks_describe_cluster", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			ev := parseOne(t, tt.fixture)
			if !strings.HasPrefix(ev.OperationKey, "eks:") {
				t.Errorf("key %q", ev.OperationKey)
			}
			var got []string
			for _, c := range ev.Changes {
				if c.Effect != tt.effect || c.Direction != model.Ingress || c.Action != model.Allow || c.Protocol != "tcp" || len(c.Ports) != 0 {
					t.Errorf("change = %+v: want %s ingress allow tcp, no ports (the catalogue names the API server)", c, tt.effect)
				}
				got = append(got, peers(c)...)
			}
			if strings.Join(got, ",") != tt.peers {
				t.Errorf("peers = %q, want %q", got, tt.peers)
			}
			if ev.Settings[model.SettingPublicAccess] != tt.public {
				t.Errorf("settings = %v, want public_network_access %q", ev.Settings, tt.public)
			}
			if tt.note != "" && !hasNote(ev, tt.note) {
				t.Errorf("notes = %q, want one with %q", ev.Notes, tt.note)
			}
			if tt.peers != "" && (ev.Resource.Type != "eks_cluster" || ev.Resource.Name == "") {
				t.Errorf("resource = %+v", ev.Resource)
			}
		})
	}
}

// TestEKSCreateWithoutResponse: a CreateCluster whose response is not
// logged and that sends no publicAccessCidrs gets EKS's default list, said
// in a note; one that turns the public endpoint off gets no rule.
func TestEKSCreateWithoutResponse(t *testing.T) {
	p := &parser{ev: &model.Event{OperationKey: "eks:createcluster"}}
	p.req = map[string]any{"name": "c1", "resourcesVpcConfig": map[string]any{"subnetIds": []any{"subnet-1"}}}
	p.eks("createcluster")
	if len(p.ev.Changes) != 1 || !slices.Equal(peers(p.ev.Changes[0]), []string{"0.0.0.0/0"}) || len(p.notes.List()) != 1 {
		t.Errorf("changes %+v notes %q", p.ev.Changes, p.notes.List())
	}
	// An update that turns the endpoint on without a list keeps the
	// cluster's list, which the record does not show.
	p = &parser{ev: &model.Event{OperationKey: "eks:updateclusterconfig"}}
	p.req = map[string]any{"name": "c1", "resourcesVpcConfig": map[string]any{"endpointPublicAccess": true}}
	p.eks("updateclusterconfig")
	if len(p.ev.Changes) != 0 || p.ev.Settings[model.SettingPublicAccess] != "enabled" {
		t.Errorf("changes %+v settings %v", p.ev.Changes, p.ev.Settings)
	}
	p = &parser{ev: &model.Event{OperationKey: "eks:createcluster"}}
	p.req = map[string]any{"name": "c1", "resourcesVpcConfig": map[string]any{"endpointPublicAccess": false}}
	p.eks("createcluster")
	if len(p.ev.Changes) != 0 || p.ev.Settings[model.SettingPublicAccess] != "disabled" {
		t.Errorf("changes %+v settings %v", p.ev.Changes, p.ev.Settings)
	}
	// Created private, the response shows the list EKS keeps for the
	// endpoint (0.0.0.0/0 by default): read, to wait for it.
	p = &parser{ev: &model.Event{OperationKey: "eks:createcluster"}}
	p.req = map[string]any{"name": "c1", "resourcesVpcConfig": map[string]any{"endpointPublicAccess": false}}
	p.resp = map[string]any{"cluster": map[string]any{"name": "c1", "resourcesVpcConfig": map[string]any{"endpointPublicAccess": false,
		"endpointPrivateAccess": true, "publicAccessCidrs": []any{"0.0.0.0/0"}}}}
	p.eks("createcluster")
	if len(p.ev.Changes) != 1 || p.ev.Changes[0].Effect != model.Added || !slices.Equal(peers(p.ev.Changes[0]), []string{"0.0.0.0/0"}) ||
		p.ev.Settings[model.SettingPublicAccess] != "disabled" {
		t.Errorf("created private: changes %+v settings %v", p.ev.Changes, p.ev.Settings)
	}
}
