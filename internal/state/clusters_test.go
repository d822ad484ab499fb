package state

import (
	"testing"

	"cloudwall/internal/model"
)

// TestClusterEndpointWindows: the API server allowlists of EKS, GKE and
// AKS open a window when they admit the internet, and a later call that
// turns the public endpoint off, turns GKE's authorized networks back on
// with an empty list, or narrows the list closes it. Turning EKS's
// public endpoint back on without a list brings back the list it had.
func TestClusterEndpointWindows(t *testing.T) {
	world, office := cidr("0.0.0.0/0"), cidr("198.51.100.0/24")
	list := func(eff model.Effect, peers ...model.Peer) model.RuleChange {
		return model.RuleChange{Effect: eff, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: peers}
	}
	setting := func(ev model.Event, k, v string) model.Event {
		ev.Settings = map[string]string{k: v}
		return ev
	}
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	gke := model.Resource{Type: "gke_cluster", ID: "projects/p1/locations/us-central1/clusters/gke-1", Name: "gke-1"}
	aks := model.Resource{Type: "aks_cluster", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1", Name: "aks-1"}
	const gkeUpdate, aksWrite = "google.container.v1.clustermanager.updatecluster", "microsoft.containerservice/managedclusters/write"
	tests := []struct {
		name   string
		calls  []model.Event
		closed []bool // after each call: is the window closed (nil: no window yet)
		undo   string // the last call's rollback, when given
	}{
		{"EKS public endpoint turned off", []model.Event{
			event(model.AWS, "eks:createcluster", at(1, 0), eks, list(model.Added, world)),
			setting(event(model.AWS, "eks:updateclusterconfig", at(2, 0), eks), model.SettingPublicAccess, "disabled"),
		}, []bool{false, true}, "aws eks update-cluster-config --name prod --resources-vpc-config endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0"},
		{"EKS public endpoint back on: the earlier list applies again", []model.Event{
			event(model.AWS, "eks:createcluster", at(1, 0), eks, list(model.Added, world)),
			setting(event(model.AWS, "eks:updateclusterconfig", at(2, 0), eks), model.SettingPublicAccess, "disabled"),
			setting(event(model.AWS, "eks:updateclusterconfig", at(3, 0), eks), model.SettingPublicAccess, "enabled"),
		}, []bool{false, true, false}, "aws eks update-cluster-config --name prod --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true"},
		{"EKS list narrowed", []model.Event{
			event(model.AWS, "eks:createcluster", at(1, 0), eks, list(model.Added, world)),
			event(model.AWS, "eks:updateclusterconfig", at(2, 0), eks, list(model.Altered, office)),
		}, []bool{false, true}, ""},
		{"GKE authorized networks re-enabled with an empty list", []model.Event{
			setting(event(model.GCP, gkeUpdate, at(1, 0), gke, list(model.Altered, world)), model.SettingEnabled, "false"),
			setting(event(model.GCP, gkeUpdate, at(2, 0), gke), model.SettingEnabled, "true"),
		}, []bool{false, true}, ""},
		{"GKE authorized networks narrowed", []model.Event{
			setting(event(model.GCP, gkeUpdate, at(1, 0), gke, list(model.Altered, world)), model.SettingEnabled, "false"),
			event(model.GCP, gkeUpdate, at(2, 0), gke, list(model.Altered, office)),
		}, []bool{false, true}, ""},
		{"GKE public endpoint turned off", []model.Event{
			setting(event(model.GCP, gkeUpdate, at(1, 0), gke, list(model.Altered, world)), model.SettingEnabled, "false"),
			setting(event(model.GCP, gkeUpdate, at(2, 0), gke), model.SettingPublicAccess, "disabled"),
		}, []bool{false, true}, ""},
		{"AKS ranges narrowed", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(model.Altered, world)),
			event(model.Azure, aksWrite, at(2, 0), aks, list(model.Altered, office)),
		}, []bool{false, true}, ""},
		{"AKS made private", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(model.Altered, world)),
			setting(event(model.Azure, aksWrite, at(2, 0), aks), model.SettingPublicAccess, "disabled"),
		}, []bool{false, true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			var w *model.Window
			var ch Change
			for i := range tt.calls {
				ch = e.Apply(&tt.calls[i], "")
				if len(ch.Opened) > 0 {
					w = ch.Opened[0]
				}
				if w == nil {
					t.Fatalf("call %d: no window opened", i)
				}
				if closed := w.End != nil; closed != tt.closed[i] {
					t.Errorf("call %d (%s %v): window closed %v, want %v", i, tt.calls[i].OperationKey, tt.calls[i].Settings, closed, tt.closed[i])
				}
			}
			if tt.undo != "" && (len(ch.Rollback) != 1 || ch.Rollback[0] != tt.undo) {
				t.Errorf("rollback %q\nwant %q", ch.Rollback, tt.undo)
			}
		})
	}
}
