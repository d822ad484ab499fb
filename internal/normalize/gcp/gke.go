package gcp

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// gkeWorld stands for every address when a cluster's public endpoint has
// no authorized networks in force.
const gkeWorld = "0.0.0.0/0"

// isGKE matches "google.container.v1.clustermanager" and its beta
// spellings.
func isGKE(family string) bool {
	return strings.HasPrefix(family, "google.container.") && strings.HasSuffix(family, ".clustermanager")
}

// gkeWrites reports the ClusterManager calls whose request sets the
// control plane's allowlist.
func gkeWrites(verb string) bool { return verb == "updatecluster" || verb == "createcluster" }

// gke reads master authorized networks, the allowlist in front of a GKE
// cluster's control plane. UpdateCluster sends them as
// update.desiredMasterAuthorizedNetworksConfig, or (newer) in
// update.desiredControlPlaneEndpointsConfig.ipEndpointsConfig; CreateCluster
// as cluster.masterAuthorizedNetworksConfig or
// cluster.controlPlaneEndpointsConfig.ipEndpointsConfig. The list sent
// replaces the cluster's whole list. The JSON of a proto leaves out a
// false "enabled": a config without it turns the allowlist off.
func (r *reader) gke(verb string) {
	if !gkeWrites(verb) || !r.sent() {
		return
	}
	effect, body, prefix := model.Altered, jv.Obj(r.req, "update"), "desired"
	if verb == "createcluster" {
		effect, body, prefix = model.Added, jv.Obj(r.req, "cluster"), ""
	}
	if body == nil {
		return
	}
	field := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + strings.ToUpper(name[:1]) + name[1:]
	}
	ip := jv.Obj(body, field("controlPlaneEndpointsConfig"), "ipEndpointsConfig")
	public, publicSent := jv.Bool(ip, "enablePublicEndpoint")
	private, _ := jv.Bool(body, "privateClusterConfig", "enablePrivateEndpoint")
	desired, privateSent := jv.Bool(body, "desiredEnablePrivateEndpoint")
	if privateSent && effect == model.Altered {
		private = desired
		// gcloud's --no-enable-private-endpoint: the public endpoint on.
		publicSent, public = publicSent || !desired, public || !desired
	}
	if publicSent && public && effect == model.Altered {
		// The state reads a list sent along as in force, one sent
		// without it as waiting while the endpoint is off.
		r.ev.Sent = []string{"enablepublicendpoint"}
	}
	cfg := jv.Obj(body, field("masterAuthorizedNetworksConfig"))
	if c := jv.Obj(ip, "authorizedNetworksConfig"); c != nil {
		cfg = c
	}
	if publicSent && !public || private {
		// The allowlist guards no public endpoint. Networks an update
		// sends along are kept, and apply when a later call turns the
		// endpoint on: the state needs them, the judgement says so.
		r.set(model.SettingPublicAccess, "disabled")
		if cfg == nil || effect != model.Altered {
			return
		}
		r.note("the public endpoint is turned off: the authorized networks sent admit no one through it until a later call turns it on")
	}
	switch {
	case cfg == nil && effect == model.Added:
		r.note("cluster created without master authorized networks: its public endpoint admits %s (default assumed)", gkeWorld)
		r.add(gkeRule(effect, r.cidrPeers([]string{gkeWorld})))
		return
	case cfg == nil && publicSent:
		r.set(model.SettingPublicAccess, "enabled")
		r.note("public endpoint turned on without authorized networks in the call: the cluster's earlier ones apply")
		return
	case cfg == nil:
		return
	}
	on := false
	if _, sent := jv.Field(cfg, "enabled"); sent {
		b, ok := jv.Bool(cfg, "enabled")
		if !ok {
			r.note("authorized networks enabled %q is not a boolean; ignored", jv.Str(cfg, "enabled"))
			return
		}
		on = b
	}
	if !on {
		r.set(model.SettingEnabled, "false")
		r.note("master authorized networks turned off: the public endpoint admits %s", gkeWorld)
		r.add(gkeRule(effect, r.cidrPeers([]string{gkeWorld})))
		return
	}
	var vals []string
	for _, b := range r.objs(cfg, "cidrBlocks") {
		vals = append(vals, jv.Str(b, "cidrBlock"))
	}
	if peers := r.cidrPeers(vals); len(peers) > 0 {
		r.add(gkeRule(effect, peers))
	} else {
		// On with an empty list: no address outside Google may connect.
		r.set(model.SettingEnabled, "true")
	}
	if g, ok := jv.Bool(cfg, "gcpPublicCidrsAccessEnabled"); ok && g {
		r.note("gcpPublicCidrsAccessEnabled: every Google Cloud public address (any project's VMs) may reach the endpoint too")
	}
}

// gkeRule is the allowlist as one ingress allow rule on the API server;
// the catalogue's service gives its port.
func gkeRule(effect model.Effect, peers []model.Peer) model.RuleChange {
	return model.RuleChange{Effect: effect, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: peers}
}
