package simulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// azureSub is one subscription's stable cast.
type azureSub struct {
	id     string
	tenant string
	mg     string
	rgs    []string
	users  []azurePrincipal
	apps   []azurePrincipal
	names  map[string][]string // resource pool per type, e.g. "virtualMachines"
}

type azurePrincipal struct {
	upn, oid, given, surname, appid, name string
	app                                   bool
}

var azureLocations = []string{"eastus", "eastus2", "westeurope", "northeurope", "uksouth", "australiaeast"}

func newAzureSub(seed uint64, n int) *azureSub {
	r := newRNG(seed, 0xA2000000+uint64(n))
	s := &azureSub{id: r.uuid(), tenant: r.uuid(), mg: "mg-" + pick(r, []string{"platform", "landingzones", "corp"}), names: map[string][]string{}}
	for _, t := range awsTeams[:r.between(3, len(awsTeams))] {
		s.rgs = append(s.rgs, "rg-"+t+"-"+pick(r, awsEnvs))
	}
	for _, p := range awsPeople[:r.between(4, len(awsPeople))] {
		s.users = append(s.users, azurePrincipal{upn: p + "@contoso.com", oid: r.uuid(), given: strings.ToUpper(p[:1]) + p[1:], surname: pick(r, []string{"Nguyen", "Schmidt", "Okafor", "Tanaka", "Garcia", "Kowalski"})})
	}
	for _, a := range []string{"github-deploy", "terraform-spn", "aks-autoscaler", "backup-automation", "defender-jit"} {
		s.apps = append(s.apps, azurePrincipal{appid: r.uuid(), oid: r.uuid(), name: a, app: true})
	}
	pool := func(typ, prefix string, k int) {
		for i := 0; i < k; i++ {
			s.names[typ] = append(s.names[typ], prefix+pick(r, awsTeams)+"-"+r.fromSet(lowerAlnum, 4))
		}
	}
	pool("virtualMachines", "vm-", 16)
	pool("storageAccounts", "st", 6)
	pool("sites", "app-", 6)
	pool("vaults", "kv-", 3)
	pool("servers", "sql-", 3)
	pool("managedClusters", "aks-", 2)
	pool("disks", "disk-", 10)
	pool("networkInterfaces", "nic-", 10)
	pool("publicIPAddresses", "pip-", 4)
	pool("workspaces", "log-", 2)
	pool("namespaces", "evh-", 2)
	pool("deployments", "deploy-", 8)
	pool("snapshots", "snap-", 6)
	pool("vaultsRS", "rsv-", 2)
	for i := range s.names["storageAccounts"] {
		s.names["storageAccounts"][i] = strings.ReplaceAll(s.names["storageAccounts"][i], "-", "")
	}
	return s
}

type azureOp struct {
	name     string // REST casing, e.g. Microsoft.Compute/virtualMachines/write
	weight   int
	res      string // provider/type of the target, e.g. Microsoft.Compute/virtualMachines
	pool     string // key into azureSub.names
	policy   bool   // Azure Policy evaluation record (category Policy, one record)
	body     func(g *azureGen, c *azureCall) (req, resp string)
	async    bool // Start, Accept, Success instead of Start, Success
	appsOnly bool
}

var azureOps = []azureOp{
	{name: "Microsoft.Storage/storageAccounts/listKeys/action", weight: 200, res: "Microsoft.Storage/storageAccounts", pool: "storageAccounts"},
	{name: "Microsoft.Compute/virtualMachines/write", weight: 40, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", body: azVMBody, async: true},
	{name: "Microsoft.Compute/virtualMachines/start/action", weight: 30, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", async: true},
	{name: "Microsoft.Compute/virtualMachines/deallocate/action", weight: 30, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", async: true},
	{name: "Microsoft.Compute/virtualMachines/restart/action", weight: 10, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", async: true},
	{name: "Microsoft.Resources/deployments/write", weight: 40, res: "Microsoft.Resources/deployments", pool: "deployments", body: azDeploymentBody, async: true, appsOnly: true},
	{name: "Microsoft.Resources/deployments/validate/action", weight: 20, res: "Microsoft.Resources/deployments", pool: "deployments", appsOnly: true},
	{name: "Microsoft.Authorization/roleAssignments/write", weight: 5, res: "Microsoft.Authorization/roleAssignments", body: azRoleAssignmentBody},
	{name: "Microsoft.Network/networkInterfaces/write", weight: 20, res: "Microsoft.Network/networkInterfaces", pool: "networkInterfaces", body: azNICBody},
	{name: "Microsoft.Network/publicIPAddresses/write", weight: 10, res: "Microsoft.Network/publicIPAddresses", pool: "publicIPAddresses", body: azPIPBody},
	{name: "Microsoft.Web/sites/write", weight: 20, res: "Microsoft.Web/sites", pool: "sites", body: azSiteBody},
	{name: "Microsoft.Web/sites/restart/action", weight: 10, res: "Microsoft.Web/sites", pool: "sites"},
	{name: "Microsoft.Web/sites/config/list/action", weight: 60, res: "Microsoft.Web/sites", pool: "sites"},
	{name: "Microsoft.Web/sites/publishxml/action", weight: 10, res: "Microsoft.Web/sites", pool: "sites"},
	{name: "Microsoft.KeyVault/vaults/write", weight: 5, res: "Microsoft.KeyVault/vaults", pool: "vaults", body: azVaultBody},
	{name: "Microsoft.Insights/diagnosticSettings/write", weight: 5, res: "Microsoft.Insights/diagnosticSettings", body: azDiagBody},
	{name: "Microsoft.Sql/servers/databases/write", weight: 10, res: "Microsoft.Sql/servers", pool: "servers", body: azSQLDBBody, async: true},
	{name: "Microsoft.Compute/disks/write", weight: 20, res: "Microsoft.Compute/disks", pool: "disks", body: azDiskBody, async: true},
	{name: "Microsoft.Compute/snapshots/write", weight: 30, res: "Microsoft.Compute/snapshots", pool: "snapshots", body: azDiskBody, async: true, appsOnly: true},
	{name: "Microsoft.Compute/disks/beginGetAccess/action", weight: 10, res: "Microsoft.Compute/disks", pool: "disks", async: true},
	{name: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", weight: 40, res: "Microsoft.ContainerService/managedClusters", pool: "managedClusters"},
	{name: "Microsoft.ContainerService/managedClusters/agentPools/write", weight: 5, res: "Microsoft.ContainerService/managedClusters", pool: "managedClusters", body: azAgentPoolBody, async: true, appsOnly: true},
	{name: "Microsoft.Resources/tags/write", weight: 20, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", body: azTagsBody},
	{name: "Microsoft.Authorization/policies/audit/action", weight: 120, res: "Microsoft.Storage/storageAccounts", pool: "storageAccounts", policy: true},
	{name: "Microsoft.Authorization/policies/auditIfNotExists/action", weight: 60, res: "Microsoft.Compute/virtualMachines", pool: "virtualMachines", policy: true},
	{name: "Microsoft.OperationalInsights/workspaces/sharedKeys/action", weight: 30, res: "Microsoft.OperationalInsights/workspaces", pool: "workspaces", appsOnly: true},
	{name: "Microsoft.EventHub/namespaces/authorizationRules/listKeys/action", weight: 30, res: "Microsoft.EventHub/namespaces", pool: "namespaces", appsOnly: true},
	{name: "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/backup/action", weight: 10, res: "Microsoft.RecoveryServices/vaults", pool: "vaultsRS", appsOnly: true, async: true},
}

func azureOpTable() weighted {
	ws := make([]int, len(azureOps))
	for i := range azureOps {
		ws[i] = azureOps[i].weight
	}
	return newWeighted(ws)
}

// azureGen writes resource-log (diagnostic setting) Activity Log records.
type azureGen struct {
	r        *rng
	sub      *azureSub
	location string
	ops      weighted
	inner    jw // builds request/response bodies, which Azure logs as JSON strings
	tokens   map[*azurePrincipal]*azureToken
	ips      map[*azurePrincipal]string
}

func newAzureGen(r *rng, sub *azureSub) *azureGen {
	return &azureGen{r: r, sub: sub, location: pick(r, azureLocations), ops: azureOpTable(), tokens: map[*azurePrincipal]*azureToken{}, ips: map[*azurePrincipal]string{}}
}

// azureCall describes one logical operation; its records share everything
// but the phase fields.
type azureCall struct {
	op          string // REST casing
	opRaw       string // pre-escaped upper-case operationName (escape variants)
	resourceID  string // REST casing
	resRaw      string // pre-escaped upper-case resourceId
	correlation string
	caller      *azurePrincipal
	ip          string
	t           time.Time
	role        string
	req, resp   string
	policy      bool
	async       bool
	failed      bool
	statusOK    string // statusCode of the final record
}

func (g *azureGen) rid(rg, res, name string) string {
	return "/subscriptions/" + g.sub.id + "/resourceGroups/" + rg + "/providers/" + res + "/" + name
}

// background returns the records of one ordinary operation: a Start and
// a Success (with an Accept between for async writes), or a single Policy
// evaluation record.
func (g *azureGen) background(t time.Time) []plantRec {
	r := g.r
	op := &azureOps[g.ops.pick(r)]
	c := &azureCall{op: op.name, t: t, correlation: r.uuid(), policy: op.policy, async: op.async, statusOK: "OK"}
	rg := pick(r, g.sub.rgs)
	switch {
	case op.pool != "":
		c.resourceID = g.rid(rg, op.res, pick(r, g.sub.names[op.pool]))
	case op.res == "Microsoft.Authorization/roleAssignments":
		c.resourceID = "/subscriptions/" + g.sub.id + "/providers/Microsoft.Authorization/roleAssignments/" + r.uuid()
	default:
		c.resourceID = g.rid(rg, "Microsoft.Compute/virtualMachines", pick(r, g.sub.names["virtualMachines"])) + "/providers/" + op.res + "/service"
	}
	if strings.HasSuffix(op.name, "/write") && op.body != nil {
		c.statusOK = "Created"
		if r.chance(0.6) {
			c.statusOK = "OK"
		}
	}
	g.caller(c, op.appsOnly)
	if op.body != nil {
		c.req, c.resp = op.body(g, c)
	}
	if r.chance(0.01) {
		c.failed = true
	}
	return g.records(c)
}

func (g *azureGen) caller(c *azureCall, appsOnly bool) {
	r := g.r
	if appsOnly || r.chance(0.55) {
		c.caller = &g.sub.apps[r.IntN(len(g.sub.apps))]
		c.ip = ""
		if r.chance(0.5) {
			c.ip = r.publicIP()
		}
		c.role = "Contributor"
		return
	}
	c.caller = &g.sub.users[r.IntN(len(g.sub.users))]
	if g.ips[c.caller] == "" || r.chance(0.03) {
		g.ips[c.caller] = r.publicIP()
	}
	c.ip = g.ips[c.caller]
	c.role = pick(r, []string{"Owner", "Contributor", "Network Contributor", "Virtual Machine Contributor"})
}

// records renders a call as its Start/Accept/Success (or Failure) records.
func (g *azureGen) records(c *azureCall) []plantRec {
	r := g.r
	if c.policy {
		var w jw
		g.record(&w, c, "Success", "Succeeded", 0, c.t)
		return []plantRec{{data: w.b}}
	}
	var out []plantRec
	var w jw
	g.record(&w, c, "Start", "Started.", 0, c.t)
	out = append(out, plantRec{data: w.b})
	end := c.t.Add(time.Duration(r.between(200, 4000)) * time.Millisecond)
	if c.async {
		var w jw
		g.record(&w, c, "Accept", "Accepted.Created", 0, end)
		out = append(out, plantRec{data: w.b, wait: r.IntN(4)})
		end = end.Add(time.Duration(r.between(5, 90)) * time.Second)
	}
	w = jw{}
	if c.failed {
		g.record(&w, c, "Failure", "Failed.Forbidden", int(end.Sub(c.t)/time.Millisecond), end)
	} else {
		g.record(&w, c, "Success", "Succeeded."+c.statusOK, int(end.Sub(c.t)/time.Millisecond), end)
	}
	out = append(out, plantRec{data: w.b, wait: r.IntN(12)})
	return out
}

// record writes one resource-log record in the field order of the real
// sample (activitylogs.log): time, resourceId, operationName, category,
// resultType, resultSignature, durationMs, callerIpAddress, correlationId,
// identity, level, location, properties.
func (g *azureGen) record(w *jw, c *azureCall, resultType, signature string, durationMs int, t time.Time) {
	r := g.r
	w.obj()
	w.kstr("time", fmtTime(t, azureTime))
	if c.resRaw != "" {
		w.key("resourceId")
		w.rawStr(c.resRaw)
	} else {
		w.kstr("resourceId", upperARM(c.resourceID))
	}
	if c.opRaw != "" {
		w.key("operationName")
		w.rawStr(c.opRaw)
	} else {
		w.kstr("operationName", strings.ToUpper(c.op))
	}
	category := "Administrative"
	level := "Information"
	if c.policy {
		category, level = "Policy", "Warning"
	}
	if resultType == "Failure" {
		level = "Error"
	}
	w.kstr("category", category)
	w.kstr("resultType", resultType)
	w.kstr("resultSignature", signature)
	w.kstr("durationMs", strconv.Itoa(durationMs))
	if c.ip != "" {
		w.kstr("callerIpAddress", c.ip)
	}
	w.kstr("correlationId", c.correlation)
	g.identity(w, c, t)
	w.kstr("level", level)
	w.kstr("location", "global")
	w.kobj("properties")
	switch {
	case c.policy:
		w.kstr("isComplianceCheck", "False")
		w.kstr("resourceLocation", g.location)
		w.kstr("ancestors", g.sub.mg+","+g.sub.tenant)
		w.kstr("policies", `[{"policyDefinitionId":"/providers/Microsoft.Authorization/policyDefinitions/`+r.uuid()+`","policySetDefinitionId":"/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8","policyDefinitionReferenceId":"`+r.hex(16)+`","policySetDefinitionName":"1f3afdf9-d0c9-4c3d-847f-89da613e70a8","policyDefinitionName":"`+r.uuid()+`","policyDefinitionEffect":"Audit","policyAssignmentId":"/subscriptions/`+g.sub.id+`/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn","policyAssignmentName":"SecurityCenterBuiltIn","policyAssignmentScope":"/subscriptions/`+g.sub.id+`","policyAssignmentParameters":{}}]`)
	case resultType == "Start":
		if c.req != "" {
			w.kstr("requestbody", c.req)
		}
	default:
		if resultType == "Failure" {
			w.kstr("statusCode", "Forbidden")
			w.kstr("statusMessage", `{"error":{"code":"AuthorizationFailed","message":"The client '`+c.callerName()+`' with object id '`+c.caller.oid+`' does not have authorization to perform action '`+c.op+`' over scope '`+c.resourceID+`' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`)
		} else {
			status := c.statusOK
			if resultType == "Accept" {
				status = "Accepted"
			}
			w.kstr("statusCode", status)
			w.kstr("serviceRequestId", r.uuid())
			if resultType == "Success" && c.resp != "" {
				w.kstr("responseBody", c.resp)
			}
		}
	}
	w.kstr("eventCategory", category)
	w.kstr("entity", c.resourceID)
	w.kstr("message", c.op)
	w.kstr("hierarchy", g.sub.tenant+"/"+g.sub.mg+"/"+g.sub.id)
	w.end()
	w.end()
}

func (c *azureCall) callerName() string {
	if c.caller.app {
		return c.caller.oid
	}
	return c.caller.upn
}

// upperARM upper-cases a resource id the way the resource-log stream does.
func upperARM(id string) string { return strings.ToUpper(id) }

func (g *azureGen) identity(w *jw, c *azureCall, t time.Time) {
	r := g.r
	p := c.caller
	tok := g.tokens[p]
	// A token lives about an hour: the same claims repeat in every record
	// the caller produces meanwhile.
	if tok == nil || r.chance(0.03) {
		tok = g.newToken(p, c, t)
		g.tokens[p] = tok
	}
	w.kobj("identity")
	w.kobj("authorization")
	w.kstr("scope", c.resourceID)
	w.kstr("action", c.op)
	w.kobj("evidence")
	w.kstr("role", c.role)
	w.kstr("roleAssignmentScope", "/subscriptions/"+g.sub.id)
	w.kstr("roleAssignmentId", tok.assignment)
	w.kstr("roleDefinitionId", tok.definition)
	w.kstr("principalId", strings.ReplaceAll(p.oid, "-", ""))
	if p.app {
		w.kstr("principalType", "ServicePrincipal")
	} else {
		w.kstr("principalType", "User")
	}
	w.end()
	w.end()
	w.sep()
	w.b = append(w.b, tok.claims...)
	w.end()
}

// azureToken is a caller's cached access token as the log shows it.
type azureToken struct {
	claims                 []byte // `"claims":{...}`
	assignment, definition string
}

func (g *azureGen) newToken(p *azurePrincipal, c *azureCall, t time.Time) *azureToken {
	r := g.r
	tok := &azureToken{assignment: r.hex(32), definition: r.hex(32)}
	var w jw
	iat := t.Add(-time.Duration(r.IntN(3000)) * time.Second).Unix()
	w.kobj("claims")
	w.kstr("aud", "https://management.azure.com/")
	w.kstr("iss", "https://sts.windows.net/"+g.sub.tenant+"/")
	w.kstr("iat", strconv.FormatInt(iat, 10))
	w.kstr("nbf", strconv.FormatInt(iat, 10))
	w.kstr("exp", strconv.FormatInt(iat+4200, 10))
	w.kstr("aio", r.fromSet(alnumMixed, 56)+"=")
	if p.app {
		w.kstr("appid", p.appid)
		w.kstr("appidacr", "2")
		w.kstr("http://schemas.microsoft.com/identity/claims/identityprovider", "https://sts.windows.net/"+g.sub.tenant+"/")
		w.kstr("idtyp", "app")
		w.kstr("http://schemas.microsoft.com/identity/claims/objectidentifier", p.oid)
		w.kstr("rh", "1.A"+r.fromSet(alnumMixed, 54)+".")
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", p.oid)
		w.kstr("http://schemas.microsoft.com/identity/claims/tenantid", g.sub.tenant)
		w.kstr("uti", r.fromSet(alnumMixed, 22))
		w.kstr("ver", "1.0")
		w.kstr("xms_tcdt", "1489425643")
	} else {
		w.kstr("http://schemas.microsoft.com/claims/authnclassreference", "1")
		w.kstr("http://schemas.microsoft.com/claims/authnmethodsreferences", "pwd,mfa")
		w.kstr("appid", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c")
		w.kstr("appidacr", "0")
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", p.surname)
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", p.given)
		w.kstr("groups", r.uuid()+","+r.uuid())
		w.kstr("idtyp", "user")
		w.kstr("ipaddr", c.ip)
		w.kstr("name", p.given+" "+p.surname)
		w.kstr("http://schemas.microsoft.com/identity/claims/objectidentifier", p.oid)
		w.kstr("puid", strings.ToUpper(r.hex(16)))
		w.kstr("rh", "1.A"+r.fromSet(alnumMixed, 54)+".")
		w.kstr("http://schemas.microsoft.com/identity/claims/scope", "user_impersonation")
		w.kstr("sid", r.uuid())
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", r.fromSet(alnumMixed, 43))
		w.kstr("http://schemas.microsoft.com/identity/claims/tenantid", g.sub.tenant)
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", p.upn)
		w.kstr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", p.upn)
		w.kstr("uti", r.fromSet(alnumMixed, 22))
		w.kstr("ver", "1.0")
		w.kstr("wids", "b79fbf4d-3ef9-4689-8143-76b194e85509")
		w.kstr("xms_tcdt", "1489425643")
	}
	w.end()
	tok.claims = w.b
	return tok
}

// Bodies. Azure logs request and response bodies as JSON text inside the
// record, so they are built with a separate writer and embedded as strings.

func (g *azureGen) body(f func(w *jw)) string {
	w := &g.inner
	w.reset()
	f(w)
	return string(w.b)
}

func azVMBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	name := c.resourceID[strings.LastIndexByte(c.resourceID, '/')+1:]
	size := pick(r, []string{"Standard_D2s_v5", "Standard_B2ms", "Standard_E4s_v5", "Standard_F8s_v2"})
	build := func(w *jw, withID bool) {
		w.obj()
		if withID {
			w.kstr("name", name)
			w.kstr("id", c.resourceID)
			w.kstr("type", "Microsoft.Compute/virtualMachines")
		}
		w.kstr("location", g.location)
		w.kobj("tags")
		w.kstr("team", pick(r, awsTeams))
		w.kstr("env", pick(r, awsEnvs))
		w.end()
		w.kobj("properties")
		w.kobj("hardwareProfile")
		w.kstr("vmSize", size)
		w.end()
		w.kobj("storageProfile")
		w.kobj("imageReference")
		w.kstr("publisher", "Canonical")
		w.kstr("offer", "0001-com-ubuntu-server-jammy")
		w.kstr("sku", "22_04-lts-gen2")
		w.kstr("version", "latest")
		w.end()
		w.kobj("osDisk")
		w.kstr("osType", "Linux")
		w.kstr("name", name+"_OsDisk_1_"+r.hex(32))
		w.kstr("createOption", "FromImage")
		w.kstr("caching", "ReadWrite")
		w.kobj("managedDisk")
		w.kstr("storageAccountType", "Premium_LRS")
		w.end()
		w.kint("diskSizeGB", 30)
		w.end()
		w.karr("dataDisks")
		w.endArr()
		w.end()
		w.kobj("osProfile")
		w.kstr("computerName", name)
		w.kstr("adminUsername", "azureuser")
		w.kobj("linuxConfiguration")
		w.kbool("disablePasswordAuthentication", true)
		w.kobj("ssh")
		w.karr("publicKeys")
		w.obj()
		w.kstr("path", "/home/azureuser/.ssh/authorized_keys")
		w.kstr("keyData", "ssh-rsa "+r.fromSet(alnumMixed, 372)+" generated-by-azure")
		w.end()
		w.endArr()
		w.end()
		w.kbool("provisionVMAgent", true)
		w.end()
		w.end()
		w.kobj("networkProfile")
		w.karr("networkInterfaces")
		w.obj()
		w.kstr("id", g.rid(pick(r, g.sub.rgs), "Microsoft.Network/networkInterfaces", pick(r, g.sub.names["networkInterfaces"])))
		w.end()
		w.endArr()
		w.end()
		w.kobj("diagnosticsProfile")
		w.kobj("bootDiagnostics")
		w.kbool("enabled", true)
		w.end()
		w.end()
		if withID {
			w.kstr("provisioningState", "Updating")
			w.kstr("vmId", r.uuid())
		}
		w.end()
		w.end()
	}
	return g.body(func(w *jw) { build(w, false) }), g.body(func(w *jw) { build(w, true) })
}

func azDeploymentBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	req := g.body(func(w *jw) {
		w.obj()
		w.kobj("properties")
		w.kstr("mode", "Incremental")
		w.kobj("templateLink")
		w.kstr("uri", "https://raw.githubusercontent.com/contoso/infra/main/templates/"+pick(r, awsTeams)+".json")
		w.end()
		w.kobj("parameters")
		for _, p := range []string{"location", "environment", "sku", "instanceCount"} {
			w.kobj(p)
			w.kstr("value", pick(r, []string{g.location, pick(r, awsEnvs), "Standard", "3"}))
			w.end()
		}
		w.end()
		w.end()
		w.end()
	})
	return req, ""
}

func azRoleAssignmentBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	return g.body(func(w *jw) {
		w.obj()
		w.kobj("Id")
		w.end()
		w.kobj("Properties")
		w.kstr("PrincipalId", r.uuid())
		w.kstr("PrincipalType", "ServicePrincipal")
		w.kstr("RoleDefinitionId", "/subscriptions/"+g.sub.id+"/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
		w.kstr("Scope", "/subscriptions/"+g.sub.id+"/resourceGroups/"+pick(r, g.sub.rgs))
		w.end()
		w.end()
	}), ""
}

func azNICBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	vnet := g.rid(pick(r, g.sub.rgs), "Microsoft.Network/virtualNetworks", "vnet-"+pick(r, awsTeams))
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kobj("properties")
		w.karr("ipConfigurations")
		w.obj()
		w.kstr("name", "ipconfig1")
		w.kobj("properties")
		w.kstr("privateIPAllocationMethod", "Dynamic")
		w.kobj("subnet")
		w.kstr("id", vnet+"/subnets/default")
		w.end()
		w.kbool("primary", true)
		w.end()
		w.end()
		w.endArr()
		w.kbool("enableAcceleratedNetworking", r.chance(0.5))
		// Keep the NIC's NSG: a NIC body without one would detach it,
		// which is a firewall change and not background traffic.
		w.kobj("networkSecurityGroup")
		w.kstr("id", nsgOf(c.resourceID))
		w.end()
		w.end()
		w.end()
	}), ""
}

// nsgOf names the NSG a NIC always keeps, so repeated writes of one NIC
// show the same NSG, as they do in a stable estate.
func nsgOf(nicID string) string {
	i := strings.Index(nicID, "/providers/")
	name := nicID[strings.LastIndexByte(nicID, '/')+1:]
	return nicID[:i] + "/providers/Microsoft.Network/networkSecurityGroups/" + strings.Replace(name, "nic-", "nsg-", 1)
}

func azPIPBody(g *azureGen, c *azureCall) (string, string) {
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kobj("sku")
		w.kstr("name", "Standard")
		w.end()
		w.kobj("properties")
		w.kstr("publicIPAllocationMethod", "Static")
		w.kstr("publicIPAddressVersion", "IPv4")
		w.end()
		w.end()
	}), ""
}

func azSiteBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kstr("kind", "app,linux")
		w.kobj("properties")
		w.kstr("serverFarmId", g.rid(pick(r, g.sub.rgs), "Microsoft.Web/serverfarms", "asp-"+pick(r, awsTeams)))
		w.kbool("httpsOnly", true)
		w.kobj("siteConfig")
		w.kstr("linuxFxVersion", pick(r, []string{"NODE|20-lts", "PYTHON|3.12", "DOTNETCORE|8.0"}))
		w.kstr("minTlsVersion", "1.2")
		w.kstr("ftpsState", "Disabled")
		w.end()
		w.end()
		w.end()
	}), ""
}

// azVaultBody is a vault settings change that leaves the network closed,
// so background traffic holds no firewall change.
func azVaultBody(g *azureGen, c *azureCall) (string, string) {
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kobj("properties")
		w.kstr("tenantId", g.sub.tenant)
		w.kobj("sku")
		w.kstr("family", "A")
		w.kstr("name", "standard")
		w.end()
		w.kbool("enableRbacAuthorization", true)
		w.kbool("enableSoftDelete", true)
		w.kint("softDeleteRetentionInDays", 90)
		w.kbool("enablePurgeProtection", true)
		w.kstr("publicNetworkAccess", "Disabled")
		w.end()
		w.end()
	}), ""
}

func azDiagBody(g *azureGen, c *azureCall) (string, string) {
	return g.body(func(w *jw) {
		w.obj()
		w.kobj("properties")
		w.kstr("workspaceId", g.rid(g.sub.rgs[0], "Microsoft.OperationalInsights/workspaces", g.sub.names["workspaces"][0]))
		w.karr("logs")
		w.obj()
		w.kstr("categoryGroup", "allLogs")
		w.kbool("enabled", true)
		w.end()
		w.endArr()
		w.karr("metrics")
		w.obj()
		w.kstr("category", "AllMetrics")
		w.kbool("enabled", true)
		w.end()
		w.endArr()
		w.end()
		w.end()
	}), ""
}

func azSQLDBBody(g *azureGen, c *azureCall) (string, string) {
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kobj("sku")
		w.kstr("name", "GP_S_Gen5")
		w.kstr("tier", "GeneralPurpose")
		w.kint("capacity", 2)
		w.end()
		w.kobj("properties")
		w.kstr("collation", "SQL_Latin1_General_CP1_CI_AS")
		w.kint("maxSizeBytes", 34359738368)
		w.kint("autoPauseDelay", 60)
		w.end()
		w.end()
	}), ""
}

func azDiskBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	return g.body(func(w *jw) {
		w.obj()
		w.kstr("location", g.location)
		w.kobj("sku")
		w.kstr("name", "Standard_LRS")
		w.end()
		w.kobj("properties")
		w.kobj("creationData")
		w.kstr("createOption", "Copy")
		w.kstr("sourceResourceId", g.rid(pick(r, g.sub.rgs), "Microsoft.Compute/disks", pick(r, g.sub.names["disks"])))
		w.end()
		w.kbool("incremental", true)
		w.end()
		w.end()
	}), ""
}

func azAgentPoolBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	return g.body(func(w *jw) {
		w.obj()
		w.kobj("properties")
		w.kint("count", int64(r.between(2, 12)))
		w.kstr("vmSize", "Standard_D4s_v5")
		w.kstr("mode", "User")
		w.kbool("enableAutoScaling", true)
		w.kint("minCount", 2)
		w.kint("maxCount", 20)
		w.kstr("orchestratorVersion", "1.29.2")
		w.end()
		w.end()
	}), ""
}

func azTagsBody(g *azureGen, c *azureCall) (string, string) {
	r := g.r
	return g.body(func(w *jw) {
		w.obj()
		w.kobj("properties")
		w.kobj("tags")
		w.kstr("costCenter", r.digits(4))
		w.kstr("owner", pick(r, awsPeople)+"@contoso.com")
		w.end()
		w.end()
		w.end()
	}), ""
}

// plant builds the records of one planted Azure operation.
func (g *azureGen) plant(sc *Scenario, t time.Time) ([]plantRec, PlantedEvent, error) {
	r := g.r
	ev := PlantedEvent{Cloud: model.Azure, Operation: sc.Operation, Kind: sc.Kind, Scenario: sc.Name, Time: t.UTC()}
	c := &azureCall{t: t, correlation: r.uuid(), statusOK: "OK"}
	rg := pick(r, g.sub.rgs)
	team := pick(r, awsTeams)
	g.caller(c, false)
	switch sc.Name {
	case "azure-nsg-rule-any-rdp", "azure-nsg-rule-internet-rdp", "azure-nsg-rule-escaped":
		nsg := "nsg-" + team + "-" + r.hex(6)
		rule := "allow-rdp-" + r.hex(6)
		c.op = "Microsoft.Network/networkSecurityGroups/securityRules/write"
		c.resourceID = g.rid(rg, "Microsoft.Network/networkSecurityGroups", nsg) + "/securityRules/" + rule
		c.statusOK = "Created"
		port, prefix := "3389", "*"
		prefixes := false
		switch sc.Name {
		case "azure-nsg-rule-internet-rdp":
			prefix, prefixes = "Internet", true
		case "azure-nsg-rule-escaped":
			port = "*"
			rule = "AllowAllInbound-" + r.hex(6)
			c.resourceID = g.rid(rg, "Microsoft.Network/networkSecurityGroups", nsg) + "/securityRules/" + rule
			c.opRaw = strings.ReplaceAll(strings.ToUpper(c.op), "/", `\/`)
			c.resRaw = strings.ReplaceAll(upperARM(c.resourceID), "/", `\/`)
		}
		rule1 := func(w *jw, full bool) {
			w.obj()
			if full {
				w.kstr("name", rule)
				w.kstr("id", c.resourceID)
				w.kstr("etag", `W/"`+r.uuid()+`"`)
				w.kstr("type", "Microsoft.Network/networkSecurityGroups/securityRules")
			}
			w.kobj("properties")
			if full {
				w.kstr("provisioningState", "Updating")
			}
			w.kstr("protocol", "Tcp")
			w.kstr("sourcePortRange", "*")
			w.kstr("destinationPortRange", port)
			if prefixes {
				w.strs("sourceAddressPrefixes", prefix)
			} else {
				w.kstr("sourceAddressPrefix", prefix)
			}
			w.kstr("destinationAddressPrefix", "*")
			w.kstr("access", "Allow")
			w.kint("priority", int64(r.between(100, 300)))
			w.kstr("direction", "Inbound")
			w.karr("sourcePortRanges")
			w.endArr()
			w.karr("destinationPortRanges")
			w.endArr()
			if !prefixes {
				w.karr("sourceAddressPrefixes")
				w.endArr()
			}
			w.karr("destinationAddressPrefixes")
			w.endArr()
			w.end()
			w.end()
		}
		c.req = g.body(func(w *jw) { rule1(w, false) })
		c.resp = g.body(func(w *jw) { rule1(w, true) })
	case "azure-nsg-delete":
		nsg := "nsg-" + team + "-" + r.hex(6)
		c.op = "Microsoft.Network/networkSecurityGroups/delete"
		c.resourceID = g.rid(rg, "Microsoft.Network/networkSecurityGroups", nsg)
		c.async = true
	case "azure-sql-firewall-all":
		srv := "sql-" + team + "-" + r.hex(6)
		rule := "AllowAll-" + r.hex(4)
		c.op = "Microsoft.Sql/servers/firewallRules/write"
		c.resourceID = g.rid(rg, "Microsoft.Sql/servers", srv) + "/firewallRules/" + rule
		c.statusOK = "Created"
		c.req = `{"properties":{"startIpAddress":"0.0.0.0","endIpAddress":"255.255.255.255"}}`
		c.resp = `{"properties":{"startIpAddress":"0.0.0.0","endIpAddress":"255.255.255.255"},"location":"` + g.location + `","kind":"v12.0","id":"` + c.resourceID + `","name":"` + rule + `","type":"Microsoft.Sql/servers/firewallRules"}`
	case "azure-storage-default-allow":
		acct := "st" + team + r.hex(8)
		c.op = "Microsoft.Storage/storageAccounts/write"
		c.resourceID = g.rid(rg, "Microsoft.Storage/storageAccounts", acct)
		c.req = `{"properties":{"networkAcls":{"bypass":"AzureServices","virtualNetworkRules":[],"ipRules":[],"defaultAction":"Allow"},"publicNetworkAccess":"Enabled"}}`
	case "azure-route-default":
		rt := "rt-" + team + "-" + r.hex(6)
		c.op = "Microsoft.Network/routeTables/routes/write"
		c.resourceID = g.rid(rg, "Microsoft.Network/routeTables", rt) + "/routes/default-to-fw"
		c.statusOK = "Created"
		c.req = `{"properties":{"addressPrefix":"0.0.0.0/0","nextHopType":"VirtualAppliance","nextHopIpAddress":"10.0.0.4"}}`
	case "azure-runcommand-netsh":
		c.op = "Microsoft.Compute/virtualMachines/runCommand/action"
		c.resourceID = g.rid(rg, "Microsoft.Compute/virtualMachines", "vm-"+team+"-"+r.hex(4))
		c.async = true
		c.req = `{"commandId":"RunPowerShellScript","script":["netsh advfirewall set allprofiles state off","Set-NetFirewallProfile -Profile Domain,Public,Private -Enabled False"]}`
	default:
		return nil, ev, fmt.Errorf("scenario %q is not an Azure scenario", sc.Name)
	}
	ev.EventID = c.correlation
	ev.IDs = []string{c.correlation}
	ev.Resource = upperARM(c.resourceID)
	return g.records(c), ev, nil
}
