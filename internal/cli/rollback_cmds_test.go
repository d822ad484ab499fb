package cli

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// Rollback commands come from the state engine, not the catalogue: the
// replay below feeds every kind it can print to
// TestPrintedCommandsRunAsPrinted.

// engineRollbacks replays, onto a baseline of every kind of firewall the
// engine restores, calls that add, remove, replace, disable and delete
// rules, and returns every rollback and window-closing command printed.
func engineRollbacks(t *testing.T) map[string]string {
	t.Helper()
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	world, office := model.Peer{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}, model.Peer{Kind: model.PeerCIDR, Value: "198.51.100.0/24"}
	v6 := model.Peer{Kind: model.PeerCIDR, Value: "::/0"}
	rule := func(dir model.Direction, act model.Action, proto string, from, to int, prio int, name string, peers ...model.Peer) model.RuleChange {
		r := model.RuleChange{Direction: dir, Action: act, Protocol: proto, Peers: peers, Name: name}
		if from >= 0 {
			r.Ports = model.PortList{{From: from, To: to}}
		}
		if prio >= 0 {
			r.Priority = model.IntPtr(prio)
		}
		return r
	}
	eff := func(e model.Effect, r model.RuleChange) model.RuleChange { r.Effect = e; return r }
	base := func(r model.RuleChange) model.Rule { r.Effect = ""; return model.Rule{RuleChange: r} }
	in, out := model.Ingress, model.Egress
	allow, deny := model.Allow, model.Deny

	sg := model.Resource{Type: "security_group", ID: "sg-0123456789abcdef0", Name: "web"}
	sgRule := rule(in, allow, "tcp", 443, 443, -1, "", office)
	sgGroupRule := rule(in, allow, "tcp", 5432, 5432, -1, "", model.Peer{Kind: model.PeerGroup, Value: "sg-0123456789abcdef1"})
	sgIcmp := rule(in, allow, "icmp", -1, -1, -1, "", v6)
	nacl := model.Resource{Type: "network_acl", ID: "acl-0123456789abcdef0"}
	naclDeny := rule(in, deny, "tcp", 22, 22, 90, "90", world)
	naclOut := rule(out, allow, "udp", 53, 53, 110, "110", office)
	nsgID := "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-1"
	nsg := model.Resource{Type: "nsg", ID: nsgID, Name: "nsg-1"}
	nsgRule := func(name string) model.Resource {
		return model.Resource{Type: "nsg_rule", ID: nsgID + "/securityRules/" + name, Name: name}
	}
	nsgDeny := rule(in, deny, "tcp", 3389, 3389, 100, "deny-rdp", model.Peer{Kind: model.PeerServiceTag, Value: "Internet"})
	nsgDeny.Targets = []string{"10.0.1.0/24"}
	nsgOut := rule(out, allow, "all", -1, -1, 200, "out-any", model.Peer{Kind: model.PeerAny, Value: "*"})
	sqlID := "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Sql/servers/sql-1"
	sqlRule := func(e model.Effect, name, rng string) model.RuleChange {
		r := rule(in, allow, "tcp", 1433, 1433, -1, name)
		if rng != "" {
			r.Peers = []model.Peer{{Kind: model.PeerRange, Value: rng}}
		}
		r.Effect = e
		return r
	}
	sqlRes := func(name string) model.Resource {
		return model.Resource{Type: "sql_firewall_rule", ID: sqlID + "/firewallRules/" + name, Name: name}
	}
	sqlV6Res := func(name string) model.Resource {
		return model.Resource{Type: "sql_firewall_rule", ID: sqlID + "/ipv6FirewallRules/" + name, Name: name}
	}
	// The other PaaS servers whose rules the engine restores, by provider
	// path and port.
	paas := []struct {
		path, op string
		port     int
	}{
		{"Microsoft.DBforPostgreSQL/flexibleServers/pg-1", "microsoft.dbforpostgresql/flexibleservers/firewallrules", 5432},
		{"Microsoft.DBforMySQL/flexibleServers/mysql-1", "microsoft.dbformysql/flexibleservers/firewallrules", 3306},
		{"Microsoft.Synapse/workspaces/syn-1", "microsoft.synapse/workspaces/firewallrules", 1433},
		{"Microsoft.Cache/redis/cache-1", "microsoft.cache/redis/firewallrules", 6380},
	}
	paasID := func(path string) string { return strings.Replace(sqlID, "Microsoft.Sql/servers/sql-1", path, 1) }
	gcp := func(name string) model.Resource {
		return model.Resource{Type: "vpc_firewall_rule", ID: "projects/proj-1/global/firewalls/" + name, Name: name}
	}
	gcpSSH := rule(in, allow, "tcp", 22, 22, 1000, "allow-ssh", office)
	gcpSSH.Targets = []string{"web"}
	gcpOut := rule(out, deny, "all", -1, -1, 900, "deny-out", world)
	cloudSQL := model.Resource{Type: "cloudsql_instance", ID: "projects/proj-1/instances/db-1", Name: "db-1"}
	sqlNets := func(vals ...string) model.RuleChange {
		r := rule(in, allow, "tcp", 3306, 3306, -1, "")
		for _, v := range vals {
			r.Peers = append(r.Peers, model.Peer{Kind: model.PeerCIDR, Value: v})
		}
		r.Effect = model.Altered
		return r
	}
	eks := model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"}
	gke := model.Resource{Type: "gke_cluster", ID: "projects/proj-1/locations/us-central1/clusters/gke-1", Name: "gke-1"}
	aks := model.Resource{Type: "aks_cluster", ID: "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.ContainerService/managedClusters/aks-1", Name: "aks-1"}
	apiList := func(e model.Effect, peers ...model.Peer) model.RuleChange {
		r := rule(in, allow, "tcp", -1, -1, -1, "", peers...)
		r.Effect = e
		return r
	}

	baseline := []model.Firewall{
		{Cloud: model.AWS, Region: "us-east-1", Resource: sg, AsOf: t0, Rules: []model.Rule{base(sgRule), base(sgGroupRule), base(sgIcmp),
			base(rule(out, allow, "all", -1, -1, -1, "", world))}},
		{Cloud: model.AWS, Region: "us-east-1", Resource: nacl, AsOf: t0, Rules: []model.Rule{base(naclDeny), base(naclOut),
			base(rule(in, allow, "all", -1, -1, 100, "100", world))}},
		{Cloud: model.Azure, Resource: nsg, AsOf: t0, Rules: []model.Rule{base(nsgDeny), base(nsgOut)}},
		{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: sqlID, Name: "sql-1"}, AsOf: t0,
			Rules: []model.Rule{base(sqlRule("", "office", "198.51.100.0-198.51.100.255"))}},
		{Cloud: model.GCP, Account: "proj-1", Network: "default", Resource: gcp("allow-ssh"), AsOf: t0, Rules: []model.Rule{base(gcpSSH)}},
		{Cloud: model.GCP, Account: "proj-1", Network: "default", Resource: gcp("deny-out"), AsOf: t0, Rules: []model.Rule{base(gcpOut)}},
		{Cloud: model.AWS, Region: "us-east-1", Resource: eks, AsOf: t0, Rules: []model.Rule{base(apiList("", office))}},
		{Cloud: model.GCP, Account: "proj-1", Region: "us-central1", Resource: gke, AsOf: t0, Rules: []model.Rule{base(apiList("", office))}},
		{Cloud: model.Azure, Region: "westeurope", Resource: aks, AsOf: t0, Rules: []model.Rule{base(apiList("", office))}},
	}
	for _, p := range paas {
		r := sqlRule("", "office", "198.51.100.0-198.51.100.255")
		r.Ports = model.PortList{{From: p.port, To: p.port}}
		baseline = append(baseline, model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: paasID(p.path), Name: lastPart(p.path)},
			AsOf: t0, Rules: []model.Rule{base(r)}})
	}
	type call struct {
		cloud   model.Cloud
		key     string
		res     model.Resource
		changes []model.RuleChange
		set     map[string]string
		targets []string
	}
	calls := []call{
		{model.AWS, "ec2:revokesecuritygroupingress", sg, []model.RuleChange{eff(model.Removed, sgRule), eff(model.Removed, sgGroupRule), eff(model.Removed, sgIcmp)}, nil, nil},
		{model.AWS, "ec2:authorizesecuritygroupingress", sg, []model.RuleChange{eff(model.Added, rule(in, allow, "tcp", 22, 22, -1, "sgr-0123456789abcdef0", world))}, nil, nil},
		{model.AWS, "ec2:authorizesecuritygroupingress", sg, []model.RuleChange{eff(model.Added, rule(in, allow, "all", -1, -1, -1, "", v6))}, nil, nil},
		{model.AWS, "ec2:revokesecuritygroupegress", sg, []model.RuleChange{eff(model.Removed, rule(out, allow, "all", -1, -1, -1, "", world))}, nil, nil},
		{model.AWS, "ec2:deletenetworkaclentry", nacl, []model.RuleChange{eff(model.Removed, naclDeny)}, nil, nil},
		{model.AWS, "ec2:replacenetworkaclentry", nacl, []model.RuleChange{eff(model.Altered, rule(out, allow, "all", -1, -1, 110, "110", world))}, nil, nil},
		{model.AWS, "ec2:createnetworkaclentry", nacl, []model.RuleChange{eff(model.Added, rule(in, allow, "icmp", -1, -1, 120, "120", world))}, nil, nil},
		{model.AWS, "ec2:createsecuritygroup", model.Resource{Type: "security_group", ID: "sg-0123456789abcdef2"}, nil, nil, nil},
		{model.AWS, "ec2:createnetworkacl", model.Resource{Type: "network_acl", ID: "acl-0123456789abcdef2"}, nil, nil, nil},
		{model.AWS, "wafv2:disassociatewebacl", model.Resource{Type: "web_acl"}, nil, nil,
			[]string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/alb-1/0123456789abcdef"}},
		{model.AWS, "waf-regional:disassociatewebacl", model.Resource{Type: "web_acl", ID: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}, nil, nil,
			[]string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/alb-1/0123456789abcdef"}},
		{model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete", nsgRule("deny-rdp"), []model.RuleChange{eff(model.Removed, rule(in, "", "", -1, -1, -1, "deny-rdp"))}, nil, nil},
		{model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", nsgRule("out-any"), []model.RuleChange{eff(model.Added, rule(out, allow, "tcp", 1000, 2000, 200, "out-any", world))}, nil, nil},
		{model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", nsgRule("ssh"), []model.RuleChange{eff(model.Added, rule(in, allow, "tcp", 22, 22, 300, "ssh", model.Peer{Kind: model.PeerAny, Value: "*"}))}, nil, nil},
		{model.Azure, "microsoft.network/networksecuritygroups/write", model.Resource{Type: "nsg", ID: strings.Replace(nsgID, "nsg-1", "nsg-2", 1), Name: "nsg-2"},
			[]model.RuleChange{eff(model.Added, rule(in, allow, "tcp", 443, 443, 100, "https", world))}, nil, nil},
		{model.Azure, "microsoft.sql/servers/firewallrules/delete", sqlRes("office"), []model.RuleChange{sqlRule(model.Removed, "office", "")}, nil, nil},
		{model.Azure, "microsoft.sql/servers/ipv6firewallrules/write", sqlV6Res("office"), []model.RuleChange{sqlRule(model.Added, "office", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")}, nil, nil},
		{model.Azure, "microsoft.sql/servers/ipv6firewallrules/delete", sqlV6Res("office"), []model.RuleChange{sqlRule(model.Removed, "office", "")}, nil, nil},
		{model.Azure, "microsoft.sql/servers/firewallrules/write", sqlRes("office"), []model.RuleChange{sqlRule(model.Added, "office", "198.51.100.7-198.51.100.7")}, nil, nil},
		{model.Azure, "microsoft.sql/servers/firewallrules/write", sqlRes("office"), []model.RuleChange{sqlRule(model.Added, "office", "0.0.0.0-255.255.255.255")}, nil, nil},
		{model.GCP, "compute.firewalls.patch", gcp("allow-ssh"), []model.RuleChange{eff(model.Altered, model.RuleChange{Peers: []model.Peer{world}})}, nil, nil},
		{model.GCP, "compute.firewalls.patch", gcp("deny-out"), nil, map[string]string{model.SettingDisabled: "true"}, nil},
		// Patches of target and source fields: the undo sets back, or
		// clears, each field sent.
		{model.GCP, "compute.firewalls.patch", gcp("allow-ssh"), []model.RuleChange{eff(model.Altered, model.RuleChange{Targets: []string{"app@proj-1.iam.gserviceaccount.com"}})}, nil, nil},
		{model.GCP, "compute.firewalls.patch", gcp("allow-ssh"), []model.RuleChange{eff(model.Altered, model.RuleChange{Targets: []string{"db"}})}, nil, nil},
		{model.GCP, "compute.firewalls.patch", gcp("allow-ssh"), []model.RuleChange{eff(model.Altered, model.RuleChange{Peers: []model.Peer{{Kind: model.PeerTag, Value: "bastion"}}})}, nil, nil},
		{model.GCP, "compute.firewalls.delete", gcp("allow-ssh"), nil, nil, nil},
		{model.GCP, "compute.firewalls.insert", gcp("allow-all"), []model.RuleChange{eff(model.Added, rule(in, allow, "all", -1, -1, 1000, "allow-all", world))}, nil, nil},
		{model.GCP, "cloudsql.instances.patch", cloudSQL, []model.RuleChange{sqlNets("198.51.100.0/24")}, nil, nil},
		{model.GCP, "cloudsql.instances.patch", cloudSQL, []model.RuleChange{sqlNets("0.0.0.0/0", "198.51.100.0/24")}, nil, nil},
		{model.AWS, "eks:updateclusterconfig", eks, []model.RuleChange{apiList(model.Altered, world, office)}, nil, nil},
		{model.AWS, "eks:createcluster", model.Resource{Type: "eks_cluster", ID: "staging", Name: "staging"}, []model.RuleChange{apiList(model.Added, world)}, nil, nil},
		{model.GCP, "google.container.v1.clustermanager.updatecluster", gke, []model.RuleChange{apiList(model.Altered, world, office)}, nil, nil},
		{model.GCP, "google.container.v1.clustermanager.createcluster", model.Resource{Type: "gke_cluster",
			ID: "projects/proj-1/zones/us-central1-a/clusters/gke-2", Name: "gke-2"}, []model.RuleChange{apiList(model.Added, world)}, nil, nil},
		{model.Azure, "microsoft.containerservice/managedclusters/write", aks, []model.RuleChange{apiList(model.Altered, world, office)}, nil, nil},
		// Allowlists turned off, then a later call: its undo turns them
		// off again (gcloud --no-enable-master-authorized-networks, az
		// aks "" ranges); the windows they open close with the list
		// before (office).
		{model.GCP, "google.container.v1.clustermanager.updatecluster", gke, []model.RuleChange{apiList(model.Altered, world)}, map[string]string{model.SettingEnabled: "false"}, nil},
		{model.GCP, "google.container.v1.clustermanager.updatecluster", gke, nil, map[string]string{model.SettingEnabled: "true"}, nil},
		{model.Azure, "microsoft.containerservice/managedclusters/write", aks, []model.RuleChange{apiList(model.Altered, world)}, nil, nil},
		{model.Azure, "microsoft.containerservice/managedclusters/write", aks, nil, map[string]string{model.SettingPublicAccess: "disabled"}, nil},
		// Public endpoints turned off and on: GKE's undo is gcloud's
		// --no-enable-private-endpoint or --enable-private-endpoint; an
		// EKS list sent with the endpoint off is undone by sending the
		// list it had waiting, the endpoint still off.
		{model.GCP, "google.container.v1.clustermanager.updatecluster", gke, nil, map[string]string{model.SettingPublicAccess: "disabled"}, nil},
		{model.GCP, "google.container.v1.clustermanager.updatecluster", gke, nil, map[string]string{model.SettingPublicAccess: "enabled"}, nil},
		{model.AWS, "eks:updateclusterconfig", eks, []model.RuleChange{apiList(model.Altered, world)}, map[string]string{model.SettingPublicAccess: "disabled"}, nil},
		{model.AWS, "eks:updateclusterconfig", eks, []model.RuleChange{apiList(model.Altered, office)}, map[string]string{model.SettingPublicAccess: "disabled"}, nil},
	}
	for _, p := range paas {
		res := func(name string) model.Resource {
			return model.Resource{Type: "sql_firewall_rule", ID: paasID(p.path) + "/firewallRules/" + name, Name: name}
		}
		calls = append(calls,
			call{model.Azure, p.op + "/delete", res("office"), []model.RuleChange{sqlRule(model.Removed, "office", "")}, nil, nil},
			call{model.Azure, p.op + "/write", res("office"), []model.RuleChange{sqlRule(model.Added, "office", "198.51.100.7-198.51.100.7")}, nil, nil},
			call{model.Azure, p.op + "/write", res("office"), []model.RuleChange{sqlRule(model.Added, "office", "0.0.0.0-255.255.255.255")}, nil, nil})
	}
	// A Redis cache whose last rule is deleted admits every address: its
	// window stays open, with the command that closes it.
	cache2 := paasID("Microsoft.Cache/redis/cache-2")
	redisRule := sqlRule("", "office", "198.51.100.0-198.51.100.255")
	redisRule.Ports = model.PortList{{From: 6380, To: 6380}}
	baseline = append(baseline, model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: cache2, Name: "cache-2"}, AsOf: t0,
		Rules: []model.Rule{base(redisRule)}})
	calls = append(calls, call{model.Azure, "microsoft.cache/redis/firewallrules/delete",
		model.Resource{Type: "sql_firewall_rule", ID: cache2 + "/firewallRules/office", Name: "office"}, []model.RuleChange{eff(model.Removed, redisRule)}, nil, nil})
	eng := state.New(state.Options{Content: c})
	eng.Load(baseline)
	out2 := map[string]string{}
	keep := func(lines []string, from string) {
		for _, l := range lines {
			if !strings.HasPrefix(l, "#") {
				if _, ok := out2[l]; !ok {
					out2[l] = from
				}
			}
		}
	}
	for i, c := range calls {
		ev := model.Event{Cloud: c.cloud, Time: t0.Add(time.Duration(i+1) * time.Minute), Operation: c.key, OperationKey: c.key,
			Outcome: model.Success, Resource: c.res, Changes: c.changes, Settings: c.set, Targets: c.targets, EventID: "e-" + c.key}
		switch c.cloud {
		case model.AWS:
			ev.Account, ev.Region = "111122223333", "us-east-1"
		case model.Azure:
			ev.Account = "00000000-1111-2222-3333-444444444444"
		case model.GCP:
			ev.Account = "proj-1"
		}
		ch := eng.Apply(&ev, "")
		if len(ch.Rollback) == 0 {
			t.Errorf("%s on %s: no rollback printed", c.key, c.res.ID)
		}
		keep(ch.Rollback, "engine rollback of "+c.key)
	}
	for _, w := range eng.Windows() {
		keep(w.Rollback, "engine window on "+w.Firewall.ID)
	}
	return out2
}

// TestEngineRollbacksCoverEveryKind makes sure the synthetic replay above
// prints each kind of command the engine builds, so the CLI checks see
// them all.
func TestEngineRollbacksCoverEveryKind(t *testing.T) {
	got := engineRollbacks(t)
	for _, want := range []string{
		"aws ec2 authorize-security-group-ingress", "aws ec2 revoke-security-group-ingress", "aws ec2 authorize-security-group-egress",
		"aws ec2 create-network-acl-entry", "aws ec2 replace-network-acl-entry", "aws ec2 delete-network-acl-entry",
		"aws ec2 delete-security-group", "aws ec2 delete-network-acl", "aws wafv2 associate-web-acl", "aws waf-regional associate-web-acl",
		"az network nsg rule create", "az network nsg rule delete", "az sql server firewall-rule create",
		"az sql server firewall-rule update", "az sql server firewall-rule delete",
		"gcloud compute firewall-rules update", "gcloud compute firewall-rules create", "gcloud compute firewall-rules delete",
		"gcloud compute firewall-rules update allow-ssh --project=proj-1 --target-service-accounts=''",
		"gcloud compute firewall-rules update allow-ssh --project=proj-1 --target-tags=web",
		"gcloud compute firewall-rules update allow-ssh --project=proj-1 --source-tags=''",
		"gcloud sql instances patch", "aws eks update-cluster-config", "gcloud container clusters update", "az aks update",
		"gcloud container clusters update gke-1 --location=us-central1 --project=proj-1 --no-enable-private-endpoint",
		"gcloud container clusters update gke-1 --location=us-central1 --project=proj-1 --enable-private-endpoint",
		"aws eks update-cluster-config --region us-east-1 --name prod --resources-vpc-config endpointPublicAccess=false,endpointPrivateAccess=true,publicAccessCidrs=0.0.0.0/0",
		"az postgres flexible-server firewall-rule create", "az postgres flexible-server firewall-rule update", "az postgres flexible-server firewall-rule delete",
		"az mysql flexible-server firewall-rule create", "az mysql flexible-server firewall-rule update", "az mysql flexible-server firewall-rule delete",
		"az synapse workspace firewall-rule create", "az synapse workspace firewall-rule update", "az synapse workspace firewall-rule delete",
		"az redis firewall-rules create", "az redis firewall-rules update", "az redis firewall-rules delete",
		"az rest --method put", "az rest --method delete",
		"gcloud container clusters update gke-1 --location=us-central1 --project=proj-1 --no-enable-master-authorized-networks",
		"az aks update --subscription 00000000-1111-2222-3333-444444444444 --resource-group rg-app --name aks-1 --api-server-authorized-ip-ranges ''",
		"az redis firewall-rules create --subscription 00000000-1111-2222-3333-444444444444 --resource-group rg-app --name cache-2 --rule-name approved",
	} {
		found := false
		for run := range got {
			found = found || strings.HasPrefix(run+" ", want+" ")
		}
		if !found {
			t.Errorf("no %q command among the engine's rollbacks", want)
		}
	}
}

// lastPart is the last segment of a slash-separated path.
func lastPart(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
