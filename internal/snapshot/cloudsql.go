package snapshot

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// isCloudSQL recognises one Cloud SQL instance: `gcloud sql instances
// describe --format=json`, the REST sql#instance, or the same object
// without its kind (a CAI asset's resource.data).
func isCloudSQL(m map[string]any) bool {
	if jv.Str(m, "kind") == "sql#instance" {
		return true
	}
	return jv.Str(m, "kind") == "" && jv.Obj(m, "settings", "ipConfiguration") != nil &&
		(has(m, "databaseVersion") || has(m, "connectionName") || has(m, "backendType"))
}

// cloudSQL reads a Cloud SQL instance's authorized networks as one allow
// rule on the engine's port (MySQL 3306, PostgreSQL 5432, SQL Server
// 1433), the shape the audit-log parser gives cloudsql.instances calls,
// so a replay on top of it compares like with like. An instance without
// authorized networks is read with no rule: nothing outside reaches its
// public address. name is the CAI asset name when the object has none.
func cloudSQL(m map[string]any, name string, src model.SourceRef) model.Firewall {
	project := first(jv.Str(m, "project"), projectOf(idPath(name)), projectOf(idPath(jv.Str(m, "selfLink"))))
	inst := first(jv.Str(m, "name"), lastSegment(name))
	fw := model.Firewall{
		Cloud:    model.GCP,
		Account:  project,
		Region:   jv.Str(m, "region"),
		Resource: model.Resource{Type: "cloudsql_instance", ID: "projects/" + project + "/instances/" + inst, Name: inst},
		Source:   src,
	}
	ipc := jv.Obj(m, "settings", "ipConfiguration")
	if v, ok := jv.Field(ipc, "ipv4Enabled"); ok {
		fw.Settings = map[string]string{model.SettingPublicIP: strings.ToLower(strings.TrimSpace(jv.Str(v)))}
		if b, isBool := v.(bool); isBool {
			fw.Settings[model.SettingPublicIP] = boolText(b)
		}
	}
	var peers []model.Peer
	var notes []string
	for _, n := range jv.Objs(ipc, "authorizedNetworks") {
		v := strings.TrimSpace(jv.Str(n, "value"))
		if v == "" {
			continue
		}
		peers = append(peers, model.Peer{Kind: model.PeerCIDR, Value: v})
		if label := strings.TrimSpace(jv.Str(n, "name")); label != "" {
			notes = append(notes, "authorized network "+v+" is named "+label)
		}
		if exp := strings.TrimSpace(jv.Str(n, "expirationTime")); exp != "" && !strings.HasPrefix(exp, "1970-01-01") {
			notes = append(notes, "authorized network "+v+" expires at "+exp)
		}
	}
	if len(peers) == 0 {
		return fw
	}
	port, known := sqlPort(jv.Str(m, "databaseVersion"))
	if !known {
		notes = append(notes, "database version not given: MySQL's port 3306 assumed")
	}
	fw.Rules = []model.Rule{toRule(model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: port, To: port}}, Peers: peers}, "", notes)}
	return fw
}

// sqlPort is the port a Cloud SQL engine listens on.
func sqlPort(version string) (int, bool) {
	v := strings.ToUpper(strings.TrimSpace(version))
	switch {
	case strings.HasPrefix(v, "POSTGRES"):
		return 5432, true
	case strings.HasPrefix(v, "SQLSERVER"):
		return 1433, true
	case strings.HasPrefix(v, "MYSQL"):
		return 3306, true
	}
	return 3306, false
}

// idPath cuts a URL or CAI name down to "projects/...".
func idPath(s string) string {
	if i := strings.Index(s, "projects/"); i >= 0 {
		return s[i:]
	}
	return ""
}
