package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// TestClusterUndoInSequence: random sequences of calls on an EKS, GKE or
// AKS cluster's API server allowlist (a narrow or world-wide list, GKE
// authorized networks off or on with none, an AKS PUT without ranges,
// the public endpoint off or on, an EKS list sent with the endpoint off,
// an endpoint turned on with a list). At every step whose earlier list state
// knows, the printed undo, read back as the call it makes, gives back
// the effective allowlist from before the step, the list waiting for an
// endpoint that is off, and GKE's switch.
func TestClusterUndoInSequence(t *testing.T) {
	world, office, corp := cidr("0.0.0.0/0"), cidr("198.51.100.0/24"), cidr("203.0.113.0/25")
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	gke := model.Resource{Type: "gke_cluster", ID: "projects/p1/locations/us-central1/clusters/gke-1", Name: "gke-1"}
	aks := model.Resource{Type: "aks_cluster", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1", Name: "aks-1"}
	keys := map[model.Cloud]string{model.AWS: "eks:updateclusterconfig", model.GCP: "google.container.v1.clustermanager.updatecluster",
		model.Azure: "microsoft.containerservice/managedclusters/write"}
	list := func(peers ...model.Peer) model.RuleChange {
		return model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: peers}
	}
	call := func(cloud model.Cloud, res model.Resource, set map[string]string, cs ...model.RuleChange) model.Event {
		ev := event(cloud, keys[cloud], at(0, 0), res, cs...)
		ev.Settings = set
		if cloud == model.Azure {
			ev.Sent = []string{"authorizedipranges"}
		}
		return ev
	}
	draw := func(r *rand.Rand, cloud model.Cloud, res model.Resource) model.Event {
		lists := [][]model.Peer{{world}, {office}, {office, corp}}
		switch n := r.IntN(6); {
		case n < 3:
			return call(cloud, res, nil, list(lists[n]...))
		case n == 3 && cloud == model.GCP:
			return call(cloud, res, map[string]string{model.SettingEnabled: "false"}, list(world))
		case n == 3 && cloud == model.Azure:
			ev := call(cloud, res, nil)
			ev.Sent = []string{}
			return ev
		case n == 4 && cloud == model.GCP:
			return call(cloud, res, map[string]string{model.SettingEnabled: "true"})
		case n == 4 && cloud == model.AWS:
			// endpointPublicAccess=false with publicAccessCidrs: the
			// list waits for the endpoint to be turned on.
			return call(cloud, res, map[string]string{model.SettingPublicAccess: "disabled"}, list(lists[r.IntN(3)]...))
		case n == 5 && cloud != model.Azure && r.IntN(3) == 0:
			// The endpoint turned on with a list sent along.
			ev := call(cloud, res, nil, list(lists[r.IntN(3)]...))
			ev.Sent = []string{"endpointpublicaccess", "publicaccesscidrs"}
			if cloud == model.GCP {
				ev.Sent = []string{"enablepublicendpoint"}
			}
			return ev
		case n == 5 && cloud != model.Azure:
			return call(cloud, res, map[string]string{model.SettingPublicAccess: map[bool]string{true: "enabled", false: "disabled"}[r.IntN(2) == 0]})
		}
		return call(cloud, res, nil, list(lists[r.IntN(3)]...))
	}
	// read turns a printed undo back into the call it makes, as the
	// parsers read the cloud's record of it.
	read := func(t *testing.T, cloud model.Cloud, res model.Resource, cmd string) model.Event {
		w, err := testutil.ShellWords(cmd)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		args := strings.Join(w, " ")
		switch cloud {
		case model.AWS:
			cfg := w[len(w)-1]
			_, cidrs, sent := strings.Cut(cfg, "publicAccessCidrs=")
			if strings.Contains(cfg, "endpointPublicAccess=false") {
				off := map[string]string{model.SettingPublicAccess: "disabled"}
				if sent {
					return call(cloud, res, off, list(peersOf(cidrs)...))
				}
				return call(cloud, res, off)
			}
			ev := call(cloud, res, nil, list(peersOf(cidrs)...))
			ev.Sent = []string{"endpointpublicaccess", "publicaccesscidrs"}
			return ev
		case model.GCP:
			set := map[string]string{}
			switch {
			case strings.Contains(args, "--no-enable-private-endpoint"):
				set[model.SettingPublicAccess] = "enabled"
			case strings.Contains(args, "--enable-private-endpoint"):
				set[model.SettingPublicAccess] = "disabled"
			}
			if strings.Contains(args, "--no-enable-master-authorized-networks") {
				set[model.SettingEnabled] = "false"
				return call(cloud, res, set, list(world))
			}
			if _, nets, ok := strings.Cut(args, "--master-authorized-networks="); ok {
				return call(cloud, res, set, list(peersOf(strings.Fields(nets)[0])...))
			}
			if strings.Contains(args, "--enable-master-authorized-networks") {
				set[model.SettingEnabled] = "true"
			}
			return call(cloud, res, set)
		}
		ranges := w[len(w)-1]
		if ranges == "" {
			return call(cloud, res, nil, list(world))
		}
		return call(cloud, res, nil, list(peersOf(ranges)...))
	}
	allow := func(e *Engine, cloud model.Cloud, res model.Resource) []string {
		fw, _ := e.Firewall(cloud, res)
		var out, parked []string
		for _, r := range fw.Rules {
			for _, p := range r.Peers {
				if r.Disabled {
					parked = append(parked, "parked "+p.Value)
				} else {
					out = append(out, p.Value)
				}
			}
		}
		slices.Sort(out)
		slices.Sort(parked)
		// GKE's allowlist off and one admitting 0.0.0.0/0 admit the
		// same, but are not the same state to restore; nor is a list
		// waiting for the public endpoint another one.
		return append(slices.Concat(slices.Compact(out), slices.Compact(parked)), fmt.Sprint("off=", fw.Settings[model.SettingEnabled] == "false"))
	}
	checked := 0
	for _, c := range []struct {
		cloud model.Cloud
		res   model.Resource
	}{{model.AWS, eks}, {model.GCP, gke}, {model.Azure, aks}} {
		rng := rand.New(rand.NewPCG(3, uint64(len(c.res.ID))))
		for i := range 200 {
			calls := []model.Event{call(c.cloud, c.res, nil, list(office))} // known from here on
			for range 4 {
				calls = append(calls, draw(rng, c.cloud, c.res))
			}
			for s := 1; s < len(calls); s++ {
				e := newEngine(t)
				for j := range s {
					calls[j].Time = at(j, 0)
					e.Apply(&calls[j], "")
				}
				before := allow(e, c.cloud, c.res)
				calls[s].Time = at(s, 0)
				ch := e.Apply(&calls[s], "")
				if ch.NoOp || len(ch.Rollback) != 1 || strings.HasPrefix(ch.Rollback[0], "#") {
					continue
				}
				undo := read(t, c.cloud, c.res, ch.Rollback[0])
				undo.Time = at(s, 1)
				e.Apply(&undo, "")
				checked++
				if after := allow(e, c.cloud, c.res); !slices.Equal(before, after) {
					var seq []string
					for _, x := range calls[:s+1] {
						seq = append(seq, fmt.Sprintf("%v %v", x.Changes, x.Settings))
					}
					t.Fatalf("%s case %d step %d:\n%s\nundo %q\nbefore %q\nafter  %q", c.res.Type, i, s, strings.Join(seq, "\n"), ch.Rollback, before, after)
				}
			}
		}
	}
	t.Logf("%d undos replayed", checked)
}

func peersOf(list string) []model.Peer {
	var out []model.Peer
	for _, v := range strings.Split(list, ",") {
		out = append(out, cidr(v))
	}
	return out
}
