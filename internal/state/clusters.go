package state

import (
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// The API server allowlists of EKS, GKE and AKS clusters are one list that
// every call sends whole, like Cloud SQL's authorized networks: undoing a
// call sends the earlier list again, and closing a window sends the list
// without the internet.

// clusterRollback puts back the allowlist a call on a cluster replaced.
func (a *applier) clusterRollback() []string {
	f := a.f
	if strings.HasSuffix(strings.ToLower(a.ev.OperationKey), "createcluster") {
		// Before the call there was no cluster, so nothing reached it.
		return []string{clusterAllow(f, nil)}
	}
	if c, ok := a.gkeEndpointUndo(); ok {
		return c
	}
	if !a.priorKnown {
		return []string{"# the allowlist before this call is not in the logs (a baseline gives it); set the approved one: " +
			clusterAllow(f, []string{"<APPROVED_CIDRS>"})}
	}
	var nets, parked []string
	for _, r := range a.prior {
		for _, p := range r.Peers {
			if r.Disabled {
				// The public endpoint was off: nothing reached it, and
				// the list waited for it to be turned on.
				if !slices.Contains(parked, p.Value) {
					parked = append(parked, p.Value)
				}
			} else if !slices.Contains(nets, p.Value) {
				nets = append(nets, p.Value)
			}
		}
	}
	if len(nets) == 0 && len(parked) > 0 && !slices.Equal(parked, listOf(f.rules)) {
		// The call changed the list the endpoint had waiting.
		if c, ok := endpointOffWith(f, parked); ok {
			return []string{c}
		}
		if f.meta.Resource.Type == "gke_cluster" {
			// Authorized networks set while the endpoint is off wait
			// for it the same way: set the earlier ones back.
			return []string{clusterList(f, parked, allowlistOff(parked) && a.priorOff)}
		}
	}
	// GKE tells its allowlist off from one that admits 0.0.0.0/0.
	off := allowlistOff(nets) && (f.meta.Resource.Type != "gke_cluster" || a.priorOff)
	return []string{clusterList(f, nets, off)}
}

// gkeEndpointUndo undoes a call that turned a GKE cluster's public
// endpoint off (private endpoint only) or on: gcloud's
// --no-enable-private-endpoint or --enable-private-endpoint. The
// authorized networks stay while the endpoint is off, so turning it back
// on needs no list; turning it off again puts back the list it had
// waiting, when the call sent another.
func (a *applier) gkeEndpointUndo() ([]string, bool) {
	f := a.f
	if f.meta.Resource.Type != "gke_cluster" {
		return nil, false
	}
	wasOff := a.priorPublic == "disabled"
	nowOff := f.meta.Settings[model.SettingPublicAccess] == "disabled"
	cmd := clusterList(f, nil, true) // ... --no-enable-master-authorized-networks
	cmd = strings.TrimSuffix(cmd, "--no-enable-master-authorized-networks")
	switch {
	case nowOff && !wasOff && a.priorPublic == "" && !a.priorKnown:
		// Not known to have been on: the undo could open a cluster that
		// was private all along.
		return []string{"# whether the public endpoint was on before this call is not in the logs (a baseline gives it); if it was: " +
			cmd + "--no-enable-private-endpoint"}, true
	case nowOff && !wasOff:
		return []string{cmd + "--no-enable-private-endpoint"}, true
	case wasOff && !nowOff:
		parked := listOf(a.prior)
		if !a.priorKnown || slices.Equal(parked, listOf(f.rules)) && a.priorOff == (f.meta.Settings[model.SettingEnabled] == "false") {
			return []string{cmd + "--enable-private-endpoint"}, true
		}
		return []string{clusterList(f, parked, allowlistOff(parked) && a.priorOff) + " --enable-private-endpoint"}, true
	}
	return nil, false
}

// listOf is the allowlist rules hold, in force or not, each range once.
func listOf(rules []*rule) []string {
	var nets []string
	for _, r := range rules {
		for _, p := range r.Peers {
			if !slices.Contains(nets, p.Value) {
				nets = append(nets, p.Value)
			}
		}
	}
	return nets
}

// endpointOffWith is the command that turns an EKS cluster's public
// endpoint off and keeps parked as its publicAccessCidrs: EKS takes and
// keeps the list while the endpoint is off ("endpointPublicAccess: false,
// and Public Endpoint Restrictions: [0.0.0.0/0]" in its own answer), and
// applies it when the endpoint is turned on again. Other clusters: false.
func endpointOffWith(f *firewall, parked []string) (string, bool) {
	if f.meta.Resource.Type != "eks_cluster" {
		return "", false
	}
	return fmt.Sprintf("aws eks update-cluster-config%s --name %s --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true,publicAccessCidrs=%s",
		region(f), shq(lastSegment(f.meta.Resource.ID)), shq(strings.Join(parked, ","))), true
}

// clusterWithout is the command that closes a window through rule r of a
// cluster: the list without its world-wide ranges. When nothing is left
// (the allowlist was turned off, cleared or reset), the list the cluster
// had before, when state saw one, is put back rather than shutting every
// address out or printing a placeholder.
func clusterWithout(f *firewall, r *rule) []string {
	keep := narrowPeers(r.Peers)
	if len(keep) == 0 && len(f.narrow) > 0 {
		return []string{"# the list the cluster had before it admitted every address:", clusterAllow(f, f.narrow)}
	}
	return []string{clusterAllow(f, keep)}
}

// narrowPeers are the ranges of peers that are not world-wide.
func narrowPeers(peers []model.Peer) []string {
	var keep []string
	for _, p := range peers {
		if nets, ok := parseNet(p); ok && len(nets) == 1 && nets[0].Bits() > 0 {
			keep = append(keep, p.Value)
		}
	}
	return keep
}

// keepNarrow remembers a cluster's list before a call changes it, when
// the list admits only narrow ranges (a disabled rule included: EKS keeps
// its list while the endpoint is off): what closes a later window.
func keepNarrow(f *firewall) {
	var nets []string
	for _, r := range f.rules {
		keep := narrowPeers(r.Peers)
		if len(keep) != len(r.Peers) {
			return // it admits every address already
		}
		for _, n := range keep {
			if !slices.Contains(nets, n) {
				nets = append(nets, n)
			}
		}
	}
	if len(nets) > 0 {
		f.narrow = nets
	}
}

// allowlistOff says nets, a cluster's whole list, is only world-wide
// ranges: the state's reading of an allowlist turned off (GKE authorized
// networks disabled, AKS ranges empty), restored as the cloud's "off"
// rather than as an explicit 0.0.0.0/0 allowlist.
func allowlistOff(nets []string) bool {
	for _, n := range nets {
		p, ok := parseNet(model.Peer{Kind: model.PeerCIDR, Value: n})
		if !ok || len(p) != 1 || p[0].Bits() > 0 {
			return false // a narrow range, or a placeholder
		}
	}
	return len(nets) > 0
}

// clusterAllow is the command that makes nets the cluster's whole
// allowlist; with none, EKS's public endpoint is turned off, GKE's
// allowlist is left on and empty (no address outside Google gets in), and
// for AKS, where an empty list admits everyone, a comment says so.
func clusterAllow(f *firewall, nets []string) string { return clusterList(f, nets, allowlistOff(nets)) }

// clusterList is clusterAllow, with off saying nets stand for the
// allowlist turned off.
func clusterList(f *firewall, nets []string, off bool) string {
	name := lastSegment(f.meta.Resource.ID)
	if f.meta.Resource.Type == "eks_cluster" {
		cmd := fmt.Sprintf("aws eks update-cluster-config%s --name %s --resources-vpc-config ", region(f), shq(name))
		if len(nets) == 0 {
			return cmd + "endpointPublicAccess=false,endpointPrivateAccess=true"
		}
		return cmd + "endpointPublicAccess=true,publicAccessCidrs=" + shq(strings.Join(nets, ","))
	}
	if f.meta.Resource.Type == "aks_cluster" {
		cmd := fmt.Sprintf("az aks update%s --resource-group %s --name %s --api-server-authorized-ip-ranges ",
			subscription(f.meta.Resource.ID), shq(azureRG(f.meta.Resource.ID)), shq(name))
		if off {
			return cmd + "''" // no ranges: every address
		}
		if len(nets) == 0 {
			// An empty list admits every address: no command closes it.
			return "# AKS has no empty allowlist (\"\" turns it off); set the approved ranges: " + cmd + "'<APPROVED_CIDRS>'"
		}
		return cmd + shq(strings.Join(nets, ","))
	}
	cmd := fmt.Sprintf("gcloud container clusters update %s --location=%s --project=%s ",
		shq(name), shq(clusterLocation(f)), shq(cloudSQLProject(f)))
	if off {
		return cmd + "--no-enable-master-authorized-networks"
	}
	cmd += "--enable-master-authorized-networks"
	if len(nets) == 0 {
		return cmd
	}
	return cmd + " --master-authorized-networks=" + shq(strings.Join(nets, ","))
}

// clusterLocation reads a GKE cluster's zone or region from its id
// (projects/P/locations/L/clusters/C, or zones/Z in the older form),
// else the region its events named.
func clusterLocation(f *firewall) string {
	parts := strings.Split(f.meta.Resource.ID, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "locations" || parts[i] == "zones" {
			return parts[i+1]
		}
	}
	return f.meta.Region
}

// emptyAllowlist says a call set a GKE cluster's master authorized
// networks on with no network: no address outside Google gets in.
func emptyAllowlist(f *firewall, ev *model.Event) bool {
	return f.meta.Resource.Type == "gke_cluster" && len(ev.Changes) == 0 && ev.Settings[model.SettingEnabled] == "true"
}

// DropsRanges says an AKS cluster was written whole (a PUT) with a body
// that carries no authorized IP ranges: the cluster has none after it.
// The detector passes such a write over (most are scales and upgrades);
// only state, knowing the cluster had ranges, sees the allowlist removed.
func DropsRanges(ev *model.Event) bool {
	return ev.Resource.Type == "aks_cluster" && ev.Sent != nil && !slices.Contains(ev.Sent, "authorizedipranges") &&
		len(ev.Changes) == 0 && ev.Settings[model.SettingPublicAccess] != "disabled"
}

// rangesDropped applies a PUT of an AKS cluster without authorized IP
// ranges: a cluster known to have had ranges has none now, and its API
// server admits every address. On a cluster whose ranges are not known
// (it may have had none: a scale or upgrade) only a note says so.
func (a *applier) rangesDropped() {
	f := a.f
	const why = "the write's body carries no apiServerAccessProfile.authorizedIPRanges: a PUT replaces the cluster, so it has none after it"
	if !f.known || len(f.rules) == 0 {
		a.note("%s; if it had ranges before, its API server now admits every address (its ranges before are not known)", why)
		return
	}
	world := a.e.newRule(model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}}, a.opener())
	if len(f.rules) == 1 && f.rules[0].key == world.key {
		return // it admitted every address already
	}
	a.note("%s: its ranges were removed, and the API server admits every address", why)
	a.removed = append(a.removed, f.rules...)
	f.rules = []*rule{world}
	a.added = append(a.added, world)
}

// endpointOff says a cluster's public endpoint is off once the call is
// applied: the call turns it off, or it was off and the call does not
// turn it on. The allowlist a call sends meanwhile (EKS keeps
// publicAccessCidrs, GKE its authorized networks) admits no one until a
// later call turns the endpoint on: its rules are kept disabled.
func (a *applier) endpointOff() bool {
	if !isCluster(a.f.meta.Resource.Type) {
		return false
	}
	switch a.ev.Settings[model.SettingPublicAccess] {
	case "disabled":
		return true
	case "enabled":
		return false
	}
	return !endpointSent(a.ev) && a.f.meta.Settings[model.SettingPublicAccess] == "disabled"
}

// endpointSent says a call that sends a cluster's allowlist has its
// public endpoint on: it sent EKS's endpointPublicAccess or GKE's
// enablePublicEndpoint as true (Event.Sent; false is the setting
// "disabled"), or it is an AKS PUT, which replaces the whole cluster and
// says "disabled" for a private one.
func endpointSent(ev *model.Event) bool {
	if ev.Sent == nil {
		return false
	}
	return ev.Resource.Type == "aks_cluster" || slices.Contains(ev.Sent, "endpointpublicaccess") || slices.Contains(ev.Sent, "enablepublicendpoint")
}

// endpointOn records that a call sending a cluster's list turned, or
// kept, its public endpoint on (endpointSent), when the state had it off.
func (a *applier) endpointOn() {
	f := a.f
	if endpointSent(a.ev) && a.ev.Settings[model.SettingPublicAccess] == "" && f.meta.Settings[model.SettingPublicAccess] == "disabled" {
		f.meta.Settings[model.SettingPublicAccess] = "enabled"
	}
}

// isCluster reports the resource types clusterRollback handles.
func isCluster(resType string) bool {
	return resType == "eks_cluster" || resType == "gke_cluster" || resType == "aks_cluster"
}
