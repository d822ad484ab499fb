package state

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

const sqlServerID = "/subscriptions/s-1/resourceGroups/rg-db/providers/Microsoft.Sql/servers/sql-app"

func sqlRuleRes(name string) model.Resource {
	return model.Resource{Type: "sql_firewall_rule", ID: sqlServerID + "/firewallRules/" + name, Name: name}
}

func sqlRule(eff model.Effect, name, rng string) model.RuleChange {
	c := rc(eff, model.Ingress, model.Allow, "tcp", ports(1433, 1433))
	c.Name = name
	if rng != "" {
		c.Peers = []model.Peer{{Kind: model.PeerRange, Value: rng}}
	}
	return c
}

func TestRollbackAzureSQLFirewallRules(t *testing.T) {
	baseline := []model.Firewall{{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: sqlServerID, Name: "sql-app"}, AsOf: t0,
		Rules: []model.Rule{mrule(sqlRule("", "office", "203.0.113.0-203.0.113.255"))}}}
	const prefix = "az sql server firewall-rule "
	const where = " --subscription s-1 --resource-group rg-db --server sql-app --name "
	tests := []struct {
		name string
		ev   model.RuleChange
		res  string
		want string
	}{
		{"deleted rule is created again from the baseline", sqlRule(model.Removed, "office", ""), "office",
			prefix + "create" + where + "office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255"},
		{"added rule is deleted", sqlRule(model.Added, "anyone", "0.0.0.0-255.255.255.255"), "anyone",
			prefix + "delete" + where + "anyone"},
		{"overwritten rule gets its old range back", sqlRule(model.Added, "office", "0.0.0.0-255.255.255.255"), "office",
			prefix + "update" + where + "office --start-ip-address 203.0.113.0 --end-ip-address 203.0.113.255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(baseline)
			key := "microsoft.sql/servers/firewallrules/write"
			if tt.ev.Effect == model.Removed {
				key = "microsoft.sql/servers/firewallrules/delete"
			}
			ch := e.Apply(new(event(model.Azure, key, at(1, 0), sqlRuleRes(tt.res), tt.ev)), "")
			if len(ch.Rollback) != 1 || ch.Rollback[0] != tt.want {
				t.Errorf("rollback %q\nwant %q", ch.Rollback, tt.want)
			}
		})
	}
}

func TestRollbackCloudSQLAuthorizedNetworks(t *testing.T) {
	res := model.Resource{Type: "cloudsql_instance", ID: "projects/p1/instances/db-1", Name: "db-1"}
	nets := func(eff model.Effect, vals ...string) model.RuleChange {
		c := rc(eff, model.Ingress, model.Allow, "tcp", ports(3306, 3306))
		for _, v := range vals {
			c.Peers = append(c.Peers, cidr(v))
		}
		return c
	}
	e := newEngine(t)
	ch, _ := e.Replay([]model.Event{
		event(model.GCP, "cloudsql.instances.patch", at(1, 0), res, nets(model.Altered, "198.51.100.0/24", "203.0.113.7/32")),
		event(model.GCP, "cloudsql.instances.patch", at(2, 0), res, nets(model.Altered, "0.0.0.0/0")),
	})
	if r := ch[0].Rollback; len(r) != 1 || !strings.HasPrefix(r[0], "# the authorized networks before this call are not in the logs") ||
		!strings.HasSuffix(r[0], "gcloud sql instances patch db-1 --project=p1 --authorized-networks='<APPROVED_CIDRS>'") {
		t.Errorf("first patch, earlier list unknown: rollback %q", r)
	}
	// patch replaces the list: the rollback carries the whole earlier one.
	want := "gcloud sql instances patch db-1 --project=p1 --authorized-networks=198.51.100.0/24,203.0.113.7/32"
	if r := ch[1].Rollback; len(r) != 1 || r[0] != want {
		t.Errorf("second patch: rollback %q, want %q", r, want)
	}
	if ws := e.Windows(); len(ws) != 1 || ws[0].End != nil {
		t.Errorf("the world-open list opens one window still open: %+v", ws)
	}
}

func TestRollbackWAFAssociation(t *testing.T) {
	e := newEngine(t)
	alb := "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/web/0123456789abcdef"
	ev := event(model.AWS, "wafv2:disassociatewebacl", at(1, 0), model.Resource{Type: "web_acl"})
	ev.Region, ev.Targets = "us-east-1", []string{alb}
	ch := e.Apply(&ev, "")
	if len(ch.Rollback) != 2 || !strings.HasPrefix(ch.Rollback[0], "# the web ACL that protected "+alb+" is not in the logs") ||
		!strings.Contains(ch.Rollback[0], "aws wafv2 get-web-acl-for-resource --region us-east-1 --resource-arn "+alb) ||
		ch.Rollback[1] != "aws wafv2 associate-web-acl --region us-east-1 --web-acl-arn '<WEB_ACL_ARN>' --resource-arn "+alb {
		t.Errorf("rollback %q", ch.Rollback)
	}
}

// TestRollbackNetChangeOfOneCall: a record that logs two contents for
// one NACL entry (copies of one event id folded together) adds the entry
// once: its undo deletes it, and never puts the first content back, which
// here would open the subnet to the world.
func TestRollbackNetChangeOfOneCall(t *testing.T) {
	world := prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(700, 702), cidr("0.0.0.0/0")), 12, "12")
	single := prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(700, 702), cidr("198.51.100.7/32")), 12, "12")
	e := newEngine(t)
	ch := e.Apply(new(event(model.AWS, "ec2:createnetworkaclentry", at(1, 0), nacl, world, single)), "")
	want := "aws ec2 delete-network-acl-entry --network-acl-id acl-0abc --ingress --rule-number 12"
	if len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q\nwant %q", ch.Rollback, want)
	}
}
