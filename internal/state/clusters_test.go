package state

import (
	"slices"
	"strings"
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

// TestAKSWriteWithoutRanges: a managedClusters PUT whose body carries no
// authorized IP ranges leaves the cluster with none, so its API server
// admits every address: a cluster known to have had ranges opens a
// window, undone by setting them back. One whose ranges are not known
// (a scale or upgrade seen alone) opens none and says why.
func TestAKSWriteWithoutRanges(t *testing.T) {
	aks := model.Resource{Type: "aks_cluster", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1", Name: "aks-1"}
	office := model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: []model.Peer{cidr("198.51.100.0/24")}}
	put := func(when int, sent []string, changes ...model.RuleChange) model.Event {
		ev := event(model.Azure, "microsoft.containerservice/managedclusters/write", at(when, 0), aks, changes...)
		ev.Sent = sent
		return ev
	}
	tests := []struct {
		name     string
		baseline bool
		ev       model.Event
		opened   bool
		rollback string
	}{
		{"ranges known: removed", true, put(1, []string{}), true,
			"az aks update --subscription s --resource-group rg --name aks-1 --api-server-authorized-ip-ranges 198.51.100.0/24"},
		{"ranges not known: a note only", false, put(1, []string{}), false, ""},
		{"body not listed: nothing read", true, put(1, nil), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			if tt.baseline {
				e.Load([]model.Firewall{{Cloud: model.Azure, Resource: aks, Rules: []model.Rule{{RuleChange: office}}}})
			}
			ch := e.Apply(&tt.ev, "")
			if (len(ch.Opened) == 1) != tt.opened {
				t.Errorf("opened %+v, want a window %v (notes %q)", ch.Opened, tt.opened, ch.Notes)
			}
			if tt.rollback != "" && (len(ch.Rollback) != 1 || ch.Rollback[0] != tt.rollback) {
				t.Errorf("rollback %q\nwant %q", ch.Rollback, tt.rollback)
			}
			if !tt.baseline && tt.ev.Sent != nil && !slices.ContainsFunc(ch.Notes, func(n string) bool {
				return strings.Contains(n, "carries no apiServerAccessProfile.authorizedIPRanges")
			}) {
				t.Errorf("notes %q: no word of the missing ranges", ch.Notes)
			}
		})
	}
}

// TestClusterAllowlistOffUndo: an allowlist turned off (GKE authorized
// networks disabled, AKS ranges cleared or dropped by a PUT) is state's
// world-wide list. A later call's undo restores it as the cloud's own
// "off", not as an explicit 0.0.0.0/0 allowlist; the window it opened is
// closed by the list the cluster had before it was turned off (else a
// placeholder or the cloud's closest shut), never wider.
func TestClusterAllowlistOffUndo(t *testing.T) {
	world, office := cidr("0.0.0.0/0"), cidr("198.51.100.0/24")
	list := func(peers ...model.Peer) model.RuleChange {
		return model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: peers}
	}
	with := func(ev model.Event, k, v string) model.Event {
		ev.Settings = map[string]string{k: v}
		return ev
	}
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	gke := model.Resource{Type: "gke_cluster", ID: "projects/p1/locations/us-central1/clusters/gke-1", Name: "gke-1"}
	aks := model.Resource{Type: "aks_cluster", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1", Name: "aks-1"}
	const gkeUpdate, aksWrite, eksUpdate = "google.container.v1.clustermanager.updatecluster", "microsoft.containerservice/managedclusters/write", "eks:updateclusterconfig"
	const gkeCmd = "gcloud container clusters update gke-1 --location=us-central1 --project=p1 "
	const aksCmd = "az aks update --subscription s --resource-group rg --name aks-1 --api-server-authorized-ip-ranges "
	const eksCmd = "aws eks update-cluster-config --name prod --resources-vpc-config "
	put := event(model.Azure, aksWrite, at(2, 0), aks)
	put.Sent = []string{}
	tests := []struct {
		name  string
		calls []model.Event
		undo  string // the last call's undo
		close string // the close command of the window still open at the end ("" for none open)
	}{
		{"GKE turned off: undo restores the list before", []model.Event{
			event(model.GCP, gkeUpdate, at(1, 0), gke, list(office)),
			with(event(model.GCP, gkeUpdate, at(2, 0), gke, list(world)), model.SettingEnabled, "false"),
		}, gkeCmd + "--enable-master-authorized-networks --master-authorized-networks=198.51.100.0/24", gkeCmd + "--enable-master-authorized-networks --master-authorized-networks=198.51.100.0/24"},
		{"GKE turned back on empty: undo turns it off", []model.Event{
			event(model.GCP, gkeUpdate, at(1, 0), gke, list(office)),
			with(event(model.GCP, gkeUpdate, at(2, 0), gke, list(world)), model.SettingEnabled, "false"),
			with(event(model.GCP, gkeUpdate, at(3, 0), gke), model.SettingEnabled, "true"),
		}, gkeCmd + "--no-enable-master-authorized-networks", ""},
		{"GKE off with nothing known before: closed on with no network", []model.Event{
			with(event(model.GCP, gkeUpdate, at(2, 0), gke, list(world)), model.SettingEnabled, "false"),
		}, "", gkeCmd + "--enable-master-authorized-networks"},
		{"AKS cleared then made private: undo clears the ranges", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(office)),
			event(model.Azure, aksWrite, at(2, 0), aks, list(world)),
			with(event(model.Azure, aksWrite, at(3, 0), aks), model.SettingPublicAccess, "disabled"),
		}, aksCmd + "''", ""},
		{"AKS cleared: closed by the ranges before", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(office)),
			event(model.Azure, aksWrite, at(2, 0), aks, list(world)),
		}, aksCmd + "198.51.100.0/24", aksCmd + "198.51.100.0/24"},
		{"AKS ranges dropped by a PUT: closed by the ranges before", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(office)),
			put,
		}, aksCmd + "198.51.100.0/24", aksCmd + "198.51.100.0/24"},
		{"EKS reset to the default: closed by the list before", []model.Event{
			event(model.AWS, eksUpdate, at(1, 0), eks, list(office)),
			event(model.AWS, eksUpdate, at(2, 0), eks, list(world)),
		}, eksCmd + "endpointPublicAccess=true,publicAccessCidrs=198.51.100.0/24", eksCmd + "endpointPublicAccess=true,publicAccessCidrs=198.51.100.0/24"},
		{"AKS ranges set, before not known: a placeholder, not ''", []model.Event{
			event(model.Azure, aksWrite, at(1, 0), aks, list(office)),
		}, "# the allowlist before this call is not in the logs (a baseline gives it); set the approved one: " + aksCmd + "'<APPROVED_CIDRS>'", ""},
		{"GKE networks set, before not known: a placeholder", []model.Event{
			event(model.GCP, gkeUpdate, at(1, 0), gke, list(office)),
		}, "# the allowlist before this call is not in the logs (a baseline gives it); set the approved one: " + gkeCmd + "--enable-master-authorized-networks --master-authorized-networks='<APPROVED_CIDRS>'", ""},
		{"EKS reset then endpoint off: undo turns it on with the reset list", []model.Event{
			event(model.AWS, eksUpdate, at(1, 0), eks, list(world)),
			with(event(model.AWS, eksUpdate, at(2, 0), eks), model.SettingPublicAccess, "disabled"),
		}, eksCmd + "endpointPublicAccess=true,publicAccessCidrs=0.0.0.0/0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			var ch Change
			for i := range tt.calls {
				ch = e.Apply(&tt.calls[i], "")
			}
			if tt.undo != "" && (len(ch.Rollback) != 1 || ch.Rollback[0] != tt.undo) {
				t.Errorf("undo %q\nwant %q", ch.Rollback, tt.undo)
			}
			var closeCmd []string
			for _, w := range e.Windows() {
				if w.End == nil {
					closeCmd = w.Rollback
				}
			}
			if tt.close == "" && closeCmd != nil || tt.close != "" && !slices.Contains(closeCmd, tt.close) {
				t.Errorf("close %q\nwant %q", closeCmd, tt.close)
			}
		})
	}
}

// TestClusterListWhileEndpointOff: a list sent while a cluster's public
// endpoint is off (EKS publicAccessCidrs with endpointPublicAccess=false,
// GKE authorized networks turned off while the endpoint is private)
// opens nothing; the call that later turns the endpoint on opens the
// window, with the list sent meanwhile. Each call's undo puts back the
// endpoint and the list waiting for it.
func TestClusterListWhileEndpointOff(t *testing.T) {
	world, office := cidr("0.0.0.0/0"), cidr("198.51.100.0/24")
	list := func(peers ...model.Peer) model.RuleChange {
		return model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: peers}
	}
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	gke := model.Resource{Type: "gke_cluster", ID: "projects/p1/locations/us-central1/clusters/gke-1", Name: "gke-1"}
	type step struct {
		set   map[string]string
		sent  []string
		peers []model.Peer
		open  string // the peers of the window open after the call, "" none
		undo  string
	}
	const eksCmd = "aws eks update-cluster-config --name prod --resources-vpc-config "
	const gkeCmd = "gcloud container clusters update gke-1 --location=us-central1 --project=p1 "
	off, on := map[string]string{model.SettingPublicAccess: "disabled"}, map[string]string{model.SettingPublicAccess: "enabled"}
	for _, tt := range []struct {
		name  string
		res   model.Resource
		steps []step
	}{
		{"EKS list sent with the endpoint off, then the endpoint on", eks, []step{
			{nil, nil, []model.Peer{office}, "", ""},
			{off, nil, nil, "", eksCmd + "endpointPublicAccess=true,publicAccessCidrs=198.51.100.0/24"},
			{off, nil, []model.Peer{world}, "", eksCmd + "endpointPublicAccess=false,endpointPrivateAccess=true,publicAccessCidrs=198.51.100.0/24"},
			{on, nil, nil, "0.0.0.0/0", eksCmd + "endpointPublicAccess=false,endpointPrivateAccess=true"},
		}},
		{"EKS endpoint turned off with a wider list in one call", eks, []step{
			{nil, nil, []model.Peer{office}, "", ""},
			{off, nil, []model.Peer{world}, "", eksCmd + "endpointPublicAccess=true,publicAccessCidrs=198.51.100.0/24"},
		}},
		{"EKS list alone while off waits; sent with the endpoint on, applies", eks, []step{
			{nil, nil, []model.Peer{office}, "", ""},
			{off, nil, nil, "", ""},
			{nil, nil, []model.Peer{world}, "", eksCmd + "endpointPublicAccess=false,endpointPrivateAccess=true,publicAccessCidrs=198.51.100.0/24"},
			{nil, []string{"endpointpublicaccess", "publicaccesscidrs"}, []model.Peer{office}, "", eksCmd + "endpointPublicAccess=false,endpointPrivateAccess=true,publicAccessCidrs=0.0.0.0/0"},
			{nil, nil, []model.Peer{world}, "0.0.0.0/0", eksCmd + "endpointPublicAccess=true,publicAccessCidrs=198.51.100.0/24"},
		}},
		{"GKE made private, nothing known before: the undo is not printed as certain", gke, []step{
			{off, nil, nil, "", "# whether the public endpoint was on before this call is not in the logs (a baseline gives it); if it was: " + gkeCmd + "--no-enable-private-endpoint"},
		}},
		{"GKE private endpoint on and off", gke, []step{
			{nil, nil, []model.Peer{office}, "", ""},
			{off, nil, nil, "", gkeCmd + "--no-enable-private-endpoint"},
			{map[string]string{model.SettingEnabled: "false"}, nil, []model.Peer{world}, "", gkeCmd + "--enable-master-authorized-networks --master-authorized-networks=198.51.100.0/24"},
			{on, nil, nil, "0.0.0.0/0", gkeCmd + "--enable-private-endpoint"},
			{off, nil, nil, "", gkeCmd + "--no-enable-private-endpoint"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			cloud, key := model.AWS, "eks:updateclusterconfig"
			if tt.res.Type == "gke_cluster" {
				cloud, key = model.GCP, "google.container.v1.clustermanager.updatecluster"
			}
			for i, s := range tt.steps {
				ev := event(cloud, key, at(i, 0), tt.res)
				if len(s.peers) > 0 {
					ev.Changes = []model.RuleChange{list(s.peers...)}
				}
				ev.Settings, ev.Sent = s.set, s.sent
				ch := e.Apply(&ev, "")
				var open []string
				for _, w := range e.Windows() {
					if w.End == nil {
						for _, p := range w.Rule.Peers {
							open = append(open, p.Value)
						}
					}
				}
				if got := strings.Join(open, ","); got != s.open {
					t.Errorf("call %d (%v %v): open window peers %q, want %q", i, s.set, s.peers, got, s.open)
				}
				if s.undo != "" && (len(ch.Rollback) != 1 || ch.Rollback[0] != s.undo) {
					t.Errorf("call %d: rollback %q\nwant %q", i, ch.Rollback, s.undo)
				}
			}
		})
	}
}

// TestEKSCreatedPrivate: an EKS cluster created with the public endpoint
// off keeps the list its response shows (0.0.0.0/0 by default): nothing
// opens until a later call turns the endpoint on, which opens the window
// with that list; its undo turns the endpoint off again.
func TestEKSCreatedPrivate(t *testing.T) {
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	create := event(model.AWS, "eks:createcluster", at(1, 0), eks,
		model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: []model.Peer{cidr("0.0.0.0/0")}})
	create.Settings = map[string]string{model.SettingPublicAccess: "disabled"}
	on := event(model.AWS, "eks:updateclusterconfig", at(2, 0), eks)
	on.Settings = map[string]string{model.SettingPublicAccess: "enabled"}
	e := newEngine(t)
	if ch := e.Apply(&create, ""); len(ch.Opened) != 0 {
		t.Errorf("created private: opened %+v", ch.Opened)
	}
	ch := e.Apply(&on, "")
	if len(ch.Opened) != 1 || ch.Opened[0].Rule.Peers[0].Value != "0.0.0.0/0" {
		t.Errorf("endpoint turned on: opened %+v, want the 0.0.0.0/0 window", ch.Opened)
	}
	want := "aws eks update-cluster-config --name prod --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true"
	if len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("undo %q, want %q", ch.Rollback, want)
	}
}
