package simulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// gcpProject is one project's stable cast. An organisation-level sink
// writes every project's entries into the same objects, so one file mixes
// projects.
type gcpProject struct {
	id, number string
	users      []string
	sas        []string
	instances  []string
	zones      []string
	clusters   []string
}

var gcpRegions = []string{"us-central1", "us-east1", "europe-west1", "europe-west4", "asia-northeast1"}

func newGCPProject(seed uint64, n int) *gcpProject {
	r := newRNG(seed, 0x6C000000+uint64(n))
	p := &gcpProject{id: pick(r, awsTeams) + "-" + pick(r, awsEnvs) + "-" + r.digits(6), number: strconv.Itoa(r.between(1, 9)) + r.digits(11)}
	for _, u := range awsPeople[:r.between(4, len(awsPeople))] {
		p.users = append(p.users, u+"@example.com")
	}
	p.sas = []string{
		"terraform@" + p.id + ".iam.gserviceaccount.com",
		"ci-deployer@" + p.id + ".iam.gserviceaccount.com",
		p.number + "-compute@developer.gserviceaccount.com",
		"service-" + p.number + "@compute-system.iam.gserviceaccount.com",
	}
	region := pick(r, gcpRegions)
	p.zones = []string{region + "-a", region + "-b", region + "-c"}
	for i := 0; i < 12; i++ {
		p.instances = append(p.instances, pick(r, awsTeams)+"-"+r.fromSet(lowerAlnum, 4))
	}
	p.clusters = []string{pick(r, awsTeams) + "-gke", pick(r, awsTeams) + "-gke-batch"}
	return p
}

type gcpOp struct {
	method  string
	service string
	weight  int
	perm    string
	lro     bool // compute long-running operation: first + last entries
	k8s     bool
	body    func(g *gcpGen, c *gcpCall, w *jw)
	resType string
}

var gcpActivityOps = []gcpOp{
	{method: "io.k8s.core.v1.pods.create", service: "k8s.io", weight: 100, perm: "io.k8s.core.v1.pods.create", k8s: true, body: gcpPodBody},
	{method: "io.k8s.core.v1.pods.delete", service: "k8s.io", weight: 60, perm: "io.k8s.core.v1.pods.delete", k8s: true},
	{method: "io.k8s.core.v1.pods.binding.create", service: "k8s.io", weight: 60, perm: "io.k8s.core.v1.pods.binding.create", k8s: true, body: gcpBindingBody},
	{method: "io.k8s.core.v1.configmaps.update", service: "k8s.io", weight: 60, perm: "io.k8s.core.v1.configmaps.update", k8s: true, body: gcpConfigMapBody},
	{method: "io.k8s.coordination.v1.leases.update", service: "k8s.io", weight: 40, perm: "io.k8s.coordination.v1.leases.update", k8s: true, body: gcpLeaseBody},
	{method: "io.k8s.apps.v1.deployments.patch", service: "k8s.io", weight: 20, perm: "io.k8s.apps.v1.deployments.patch", k8s: true},
	{method: "v1.compute.instances.insert", service: "compute.googleapis.com", weight: 10, perm: "compute.instances.create", lro: true, body: gcpInstanceInsertBody, resType: "gce_instance"},
	{method: "v1.compute.instances.delete", service: "compute.googleapis.com", weight: 8, perm: "compute.instances.delete", lro: true, resType: "gce_instance"},
	{method: "v1.compute.instances.start", service: "compute.googleapis.com", weight: 5, perm: "compute.instances.start", lro: true, resType: "gce_instance"},
	{method: "v1.compute.instances.stop", service: "compute.googleapis.com", weight: 5, perm: "compute.instances.stop", lro: true, resType: "gce_instance"},
	{method: "v1.compute.instances.setLabels", service: "compute.googleapis.com", weight: 10, perm: "compute.instances.setLabels", lro: true, body: gcpLabelsBody, resType: "gce_instance"},
	{method: "v1.compute.disks.createSnapshot", service: "compute.googleapis.com", weight: 20, perm: "compute.disks.createSnapshot", lro: true, body: gcpSnapshotBody, resType: "gce_disk"},
	{method: "v1.compute.instanceGroupManagers.resize", service: "compute.googleapis.com", weight: 10, perm: "compute.instanceGroupManagers.update", lro: true, resType: "gce_instance_group_manager"},
	{method: "SetIamPolicy", service: "cloudresourcemanager.googleapis.com", weight: 10, perm: "resourcemanager.projects.setIamPolicy", body: gcpSetIamBody, resType: "project"},
	{method: "google.iam.admin.v1.CreateServiceAccountKey", service: "iam.googleapis.com", weight: 5, perm: "iam.serviceAccountKeys.create", resType: "service_account"},
	{method: "storage.buckets.create", service: "storage.googleapis.com", weight: 3, perm: "storage.buckets.create", resType: "gcs_bucket"},
	{method: "storage.setIamPermissions", service: "storage.googleapis.com", weight: 5, perm: "storage.buckets.setIamPolicy", resType: "gcs_bucket"},
	{method: "google.container.v1.ClusterManager.SetNodePoolSize", service: "container.googleapis.com", weight: 5, perm: "container.clusters.update", resType: "gke_nodepool"},
	{method: "google.cloud.functions.v1.CloudFunctionsService.UpdateFunction", service: "cloudfunctions.googleapis.com", weight: 3, perm: "cloudfunctions.functions.update", resType: "cloud_function"},
}

var gcpDataOps = []gcpOp{
	{method: "v1.compute.instances.list", service: "compute.googleapis.com", weight: 40, perm: "compute.instances.list", resType: "gce_instance"},
	{method: "beta.compute.machineTypes.aggregatedList", service: "compute.googleapis.com", weight: 10, perm: "compute.machineTypes.list", resType: "api"},
	{method: "storage.objects.get", service: "storage.googleapis.com", weight: 100, perm: "storage.objects.get", resType: "gcs_bucket"},
	{method: "storage.objects.list", service: "storage.googleapis.com", weight: 40, perm: "storage.objects.list", resType: "gcs_bucket"},
	{method: "google.logging.v2.LoggingServiceV2.ListLogEntries", service: "logging.googleapis.com", weight: 10, perm: "logging.logEntries.list", resType: "project"},
	{method: "GetResourceBillingInfo", service: "cloudbilling.googleapis.com", weight: 5, perm: "resourcemanager.projects.get", resType: "project"},
}

func gcpTable(ops []gcpOp) weighted {
	ws := make([]int, len(ops))
	for i := range ops {
		ws[i] = ops[i].weight
	}
	return newWeighted(ws)
}

// gcpGen writes LogEntry JSON lines as a Cloud Storage sink does.
type gcpGen struct {
	r        *rng
	projects []*gcpProject
	data     bool // data_access log instead of activity
	ops      []gcpOp
	table    weighted
}

func newGCPGen(r *rng, projects []*gcpProject, data bool) *gcpGen {
	g := &gcpGen{r: r, projects: projects, data: data, ops: gcpActivityOps}
	if data {
		g.ops = gcpDataOps
	}
	g.table = gcpTable(g.ops)
	return g
}

// gcpCall is one logical call; a long-running one becomes two entries.
type gcpCall struct {
	op           *gcpOp
	p            *gcpProject
	t            time.Time
	principal    string
	ip, ua       string
	resourceName string
	methodRaw    string // pre-escaped methodName (escape variants)
	resType      string
	labels       [][2]string
	zone         string
	opID         string
	noRequest    bool // the entry has no request field at all (firewalls.delete)
	request      func(w *jw)
	perms        []string
	denied       bool
}

var gcpUserAgents = []string{
	"google-cloud-sdk gcloud/467.0.0 command/gcloud.compute.instances.create invocation-id/%s environment/None environment-version/None client-os/LINUX client-os-ver/6.5.0 client-pltf-arch/x86_64 interactive/False from-script/True python/3.11.8 term/ (Linux 6.5.0-1016-gcp),gzip(gfe)",
	"Terraform/1.7.5 (+https://www.terraform.io) Terraform-Plugin-SDK/2.33.0 terraform-provider-google/5.21.0,gzip(gfe)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36,gzip(gfe)",
	"google-api-go-client/0.5 Kubernetes/1.29.1-gke.1589018 (linux amd64),gzip(gfe)",
}

func (g *gcpGen) background(t time.Time) []plantRec {
	r := g.r
	op := &g.ops[g.table.pick(r)]
	p := pick(r, g.projects)
	c := &gcpCall{op: op, p: p, t: t, zone: pick(r, p.zones)}
	c.perms = []string{op.perm}
	if op.k8s {
		cl := pick(r, p.clusters)
		ns := pick(r, []string{"default", "kube-system", pick(r, awsTeams)})
		kind := strings.Split(op.method, ".")[4]
		c.resourceName = "core/v1/namespaces/" + ns + "/" + kind + "/" + pick(r, awsTeams) + "-" + r.fromSet(lowerAlnum, 10)
		c.resType = "k8s_cluster"
		c.labels = [][2]string{{"cluster_name", cl}, {"location", c.zone[:len(c.zone)-2]}, {"project_id", p.id}}
		c.principal = "system:serviceaccount:kube-system:" + pick(r, []string{"replicaset-controller", "deployment-controller", "generic-garbage-collector", "node-controller"})
		if strings.Contains(op.method, "binding") {
			c.principal = "system:kube-scheduler"
		}
		c.ip = "172.16." + strconv.Itoa(r.IntN(4)) + "." + strconv.Itoa(r.between(2, 250))
		c.ua = "kube-controller-manager/v1.29.1 (linux/amd64) kubernetes/a1b2c3d/system:serviceaccount:kube-system:replicaset-controller"
	} else {
		inst := pick(r, p.instances)
		c.resourceName = "projects/" + p.id + "/zones/" + c.zone + "/instances/" + inst
		c.resType = op.resType
		c.labels = [][2]string{{"instance_id", r.digits(19)}, {"project_id", p.id}, {"zone", c.zone}}
		switch op.resType {
		case "project", "api":
			c.resourceName = "projects/" + p.id
			c.labels = [][2]string{{"project_id", p.id}}
		case "gcs_bucket":
			b := p.id + "-" + pick(r, []string{"artifacts", "exports", "tfstate"})
			c.resourceName = "projects/_/buckets/" + b
			if strings.HasPrefix(op.method, "storage.objects") {
				c.resourceName += "/objects/" + r.hex(8) + "/" + r.hex(12) + ".json"
			}
			c.labels = [][2]string{{"bucket_name", b}, {"location", "us"}, {"project_id", p.id}}
		case "gce_disk":
			c.resourceName = "projects/" + p.id + "/zones/" + c.zone + "/disks/" + inst
			c.labels = [][2]string{{"disk_id", r.digits(19)}, {"project_id", p.id}, {"zone", c.zone}}
		}
		if r.chance(0.6) {
			c.principal = pick(r, p.sas)
			c.ip = "34." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.IntN(256)) + "." + strconv.Itoa(r.between(1, 254))
			c.ua = gcpUserAgents[1]
		} else {
			c.principal = pick(r, p.users)
			c.ip = r.publicIP()
			c.ua = strings.Replace(pick(r, gcpUserAgents), "%s", r.hex(32), 1)
		}
	}
	if op.body != nil {
		c.request = func(w *jw) { op.body(g, c, w) }
	}
	if r.chance(0.01) {
		c.denied = true
	}
	return g.entries(c)
}

// entries renders a call: one entry, or first + last for a compute
// long-running operation.
func (g *gcpGen) entries(c *gcpCall) []plantRec {
	r := g.r
	if !c.op.lro || c.denied {
		var w jw
		g.entry(&w, c, 0, c.t)
		return []plantRec{{data: w.b}}
	}
	c.opID = "operation-" + strconv.FormatInt(c.t.UnixMilli(), 10) + "-" + r.hex(13) + "-" + r.hex(8) + "-" + r.hex(8)
	var w1, w2 jw
	g.entry(&w1, c, 1, c.t)
	g.entry(&w2, c, 2, c.t.Add(time.Duration(r.between(2, 40))*time.Second))
	return []plantRec{{data: w1.b}, {data: w2.b, wait: r.IntN(15)}}
}

// entry writes one LogEntry with keys in the alphabetical order Cloud
// Logging exports use. phase: 0 single, 1 first, 2 last.
func (g *gcpGen) entry(w *jw, c *gcpCall, phase int, t time.Time) string {
	r := g.r
	insertID := r.fromSet(lowerAlnum, 12)
	if phase > 0 || r.chance(0.3) {
		insertID = "-" + r.fromSet(lowerAlnum, 12)
	}
	logKind := "activity"
	if g.data {
		logKind = "data_access"
	}
	w.obj()
	w.kstr("insertId", insertID)
	w.kstr("logName", "projects/"+c.p.id+"/logs/cloudaudit.googleapis.com%2F"+logKind)
	if phase > 0 {
		w.kobj("operation")
		if phase == 1 {
			w.kbool("first", true)
		}
		w.kstr("id", c.opID)
		if phase == 2 {
			w.kbool("last", true)
		}
		producer := c.op.service
		w.kstr("producer", producer)
		w.end()
	}
	w.kobj("protoPayload")
	w.kstr("@type", "type.googleapis.com/google.cloud.audit.AuditLog")
	w.kobj("authenticationInfo")
	w.kstr("principalEmail", c.principal)
	if strings.HasSuffix(c.principal, "gserviceaccount.com") && r.chance(0.3) {
		w.karr("serviceAccountDelegationInfo")
		w.obj()
		w.kobj("firstPartyPrincipal")
		w.kstr("principalEmail", "service-"+c.p.number+"@container-engine-robot.iam.gserviceaccount.com")
		w.end()
		w.end()
		w.endArr()
	}
	w.end()
	if phase != 2 {
		w.karr("authorizationInfo")
		for _, perm := range c.perms {
			w.obj()
			w.kbool("granted", !c.denied)
			w.kstr("permission", perm)
			w.kstr("resource", c.resourceName)
			w.kobj("resourceAttributes")
			w.kstr("name", c.resourceName)
			w.kstr("service", strings.TrimSuffix(c.op.service, ".googleapis.com"))
			w.kstr("type", c.op.service[:strings.IndexByte(c.op.service, '.')]+"."+strings.Split(perm, ".")[1])
			w.end()
			w.end()
		}
		w.endArr()
	}
	if c.methodRaw != "" {
		w.key("methodName")
		w.rawStr(c.methodRaw)
	} else {
		w.kstr("methodName", c.op.method)
	}
	if !c.noRequest {
		w.kobj("request")
		w.kstr("@type", "type.googleapis.com/"+requestType(c.op.method))
		if phase != 2 && c.request != nil {
			c.request(w)
		}
		w.end()
	}
	w.kobj("requestMetadata")
	w.kstr("callerIp", c.ip)
	w.kstr("callerSuppliedUserAgent", c.ua)
	w.kempty("destinationAttributes")
	w.kobj("requestAttributes")
	if phase != 2 {
		w.kempty("auth")
		w.kstr("time", fmtTime(t, gcpMilli))
	}
	w.end()
	w.end()
	w.kobj("resourceLocation")
	w.strs("currentLocations", c.zone)
	w.end()
	w.kstr("resourceName", c.resourceName)
	if phase == 1 {
		w.kobj("response")
		w.kstr("@type", "type.googleapis.com/operation")
		w.kstr("id", r.digits(19))
		w.kstr("insertTime", t.Add(-time.Second).UTC().Format("2006-01-02T15:04:05.000-07:00"))
		w.kstr("name", c.opID)
		w.kstr("operationType", opType(c.op.method))
		w.kstr("progress", "0")
		w.kstr("selfLink", "https://www.googleapis.com/compute/v1/projects/"+c.p.id+"/global/operations/"+c.opID)
		w.kstr("startTime", t.UTC().Format("2006-01-02T15:04:05.000-07:00"))
		w.kstr("status", pick(r, []string{"RUNNING", "PENDING"}))
		w.kstr("targetId", r.digits(19))
		w.kstr("targetLink", "https://www.googleapis.com/compute/v1/"+c.resourceName)
		w.kstr("user", c.principal)
		w.end()
	}
	w.kstr("serviceName", c.op.service)
	if c.denied {
		w.kobj("status")
		w.kint("code", 7)
		w.kstr("message", "Required '"+c.perms[0]+"' permission for '"+c.resourceName+"'")
		w.end()
	}
	w.end()
	w.kstr("receiveTimestamp", fmtTime(t.Add(time.Duration(r.between(50, 900))*time.Millisecond), gcpTime))
	w.kobj("resource")
	w.kobj("labels")
	for _, kv := range c.labels {
		w.kstr(kv[0], kv[1])
	}
	w.end()
	w.kstr("type", c.resType)
	w.end()
	sev := "NOTICE"
	if g.data {
		sev = "INFO"
	}
	if c.denied {
		sev = "ERROR"
	}
	w.kstr("severity", sev)
	w.kstr("timestamp", fmtTime(t, gcpTime))
	w.end()
	return insertID
}

// requestType is the @type of the logged request.
func requestType(method string) string {
	m := method
	for _, p := range []string{"v1.", "beta.", "alpha."} {
		m = strings.TrimPrefix(m, p)
	}
	if strings.HasPrefix(m, "compute.") {
		return m
	}
	if strings.HasPrefix(m, "cloudsql.") {
		return "google.cloud.sql.v1beta4.SqlInstancesPatchRequest"
	}
	if strings.HasPrefix(m, "io.k8s.") {
		return "k8s.io/Patch"
	}
	return m + "Request"
}

func opType(method string) string {
	i := strings.LastIndexByte(method, '.')
	return method[i+1:]
}

func gcpPodBody(g *gcpGen, c *gcpCall, w *jw) {
	r := g.r
	app := pick(r, awsTeams)
	w.kstr("apiVersion", "v1")
	w.kstr("kind", "Pod")
	w.kobj("metadata")
	w.kstr("generateName", app+"-"+r.fromSet(lowerAlnum, 10)+"-")
	w.kobj("labels")
	w.kstr("app", app)
	w.kstr("pod-template-hash", r.fromSet(lowerAlnum, 10))
	w.end()
	w.karr("ownerReferences")
	w.obj()
	w.kstr("apiVersion", "apps/v1")
	w.kstr("kind", "ReplicaSet")
	w.kstr("name", app+"-"+r.fromSet(lowerAlnum, 10))
	w.kstr("uid", r.uuid())
	w.kbool("controller", true)
	w.kbool("blockOwnerDeletion", true)
	w.end()
	w.endArr()
	w.end()
	w.kobj("spec")
	w.karr("containers")
	w.obj()
	w.kstr("name", app)
	w.kstr("image", "us-docker.pkg.dev/"+c.p.id+"/apps/"+app+"@sha256:"+r.hex(64))
	w.karr("ports")
	w.obj()
	w.kint("containerPort", 8080)
	w.kstr("protocol", "TCP")
	w.end()
	w.endArr()
	w.karr("env")
	for i := 0; i < r.between(4, 16); i++ {
		w.obj()
		w.kstr("name", "APP_"+strconv.Itoa(i))
		w.kstr("value", r.fromSet(alnumMixed, r.between(4, 30)))
		w.end()
	}
	w.endArr()
	w.kobj("resources")
	w.kobj("requests")
	w.kstr("cpu", "250m")
	w.kstr("memory", "512Mi")
	w.end()
	w.end()
	w.kstr("terminationMessagePath", "/dev/termination-log")
	w.kstr("imagePullPolicy", "IfNotPresent")
	w.end()
	w.endArr()
	w.kstr("restartPolicy", "Always")
	w.kint("terminationGracePeriodSeconds", 30)
	w.kstr("serviceAccountName", "default")
	w.end()
	w.kobj("status")
	w.end()
}

func gcpBindingBody(g *gcpGen, c *gcpCall, w *jw) {
	w.kstr("apiVersion", "v1")
	w.kstr("kind", "Binding")
	w.kobj("target")
	w.kstr("kind", "Node")
	w.kstr("name", "gke-"+c.p.clusters[0]+"-default-pool-"+g.r.hex(8)+"-"+g.r.fromSet(lowerAlnum, 4))
	w.end()
}

func gcpConfigMapBody(g *gcpGen, c *gcpCall, w *jw) {
	w.kstr("apiVersion", "v1")
	w.kstr("kind", "ConfigMap")
	w.kobj("metadata")
	w.kstr("name", "cluster-autoscaler-status")
	w.kstr("namespace", "kube-system")
	w.kstr("resourceVersion", g.r.digits(9))
	w.end()
	w.kobj("data")
	w.kstr("status", "Cluster-autoscaler status at "+fmtTime(c.t, awsTime)+":\nCluster-wide:\n  Health:      Healthy (ready=7 unready=0 notStarted=0 longNotStarted=0 registered=7 longUnregistered=0)\n  ScaleUp:     NoActivity (ready=7 registered=7)\n  ScaleDown:   NoCandidates (candidates=0)\n")
	w.end()
}

func gcpLeaseBody(g *gcpGen, c *gcpCall, w *jw) {
	w.kstr("apiVersion", "coordination.k8s.io/v1")
	w.kstr("kind", "Lease")
	w.kobj("spec")
	w.kstr("holderIdentity", "gke-"+g.r.hex(8))
	w.kint("leaseDurationSeconds", 15)
	w.kstr("renewTime", fmtTime(c.t, "2006-01-02T15:04:05.000000Z"))
	w.end()
}

func gcpInstanceInsertBody(g *gcpGen, c *gcpCall, w *jw) {
	r := g.r
	name := c.resourceName[strings.LastIndexByte(c.resourceName, '/')+1:]
	w.kobj("canIpForward")
	w.end()
	w.karr("disks")
	w.obj()
	w.kbool("autoDelete", true)
	w.kbool("boot", true)
	w.kobj("initializeParams")
	w.kstr("diskSizeGb", "20")
	w.kstr("diskType", "projects/"+c.p.id+"/zones/"+c.zone+"/diskTypes/pd-balanced")
	w.kstr("sourceImage", "projects/debian-cloud/global/images/debian-12-bookworm-v20240312")
	w.end()
	w.kstr("mode", "READ_WRITE")
	w.kstr("type", "PERSISTENT")
	w.end()
	w.endArr()
	w.kobj("labels")
	w.kstr("team", pick(r, awsTeams))
	w.end()
	w.kstr("machineType", "projects/"+c.p.id+"/zones/"+c.zone+"/machineTypes/e2-standard-4")
	w.kobj("metadata")
	w.karr("items")
	w.obj()
	w.kstr("key", "enable-oslogin")
	w.kstr("value", "true")
	w.end()
	w.endArr()
	w.end()
	w.kstr("name", name)
	w.karr("networkInterfaces")
	w.obj()
	w.karr("accessConfigs")
	w.obj()
	w.kstr("name", "External NAT")
	w.kstr("networkTier", "PREMIUM")
	w.kstr("type", "ONE_TO_ONE_NAT")
	w.end()
	w.endArr()
	w.kstr("subnetwork", "projects/"+c.p.id+"/regions/"+c.zone[:len(c.zone)-2]+"/subnetworks/default")
	w.end()
	w.endArr()
	w.kobj("scheduling")
	w.kbool("automaticRestart", true)
	w.kstr("onHostMaintenance", "MIGRATE")
	w.kbool("preemptible", false)
	w.end()
	w.karr("serviceAccounts")
	w.obj()
	w.kstr("email", c.p.sas[2])
	w.strs("scopes", "https://www.googleapis.com/auth/cloud-platform")
	w.end()
	w.endArr()
	w.kobj("tags")
	w.strs("tags", "http-server", pick(r, awsTeams))
	w.end()
}

func gcpLabelsBody(g *gcpGen, c *gcpCall, w *jw) {
	w.kstr("labelFingerprint", g.r.fromSet(alnumMixed, 11)+"=")
	w.kobj("labels")
	w.kstr("team", pick(g.r, awsTeams))
	w.kstr("cost-center", g.r.digits(4))
	w.end()
}

func gcpSnapshotBody(g *gcpGen, c *gcpCall, w *jw) {
	w.kstr("name", "snap-"+g.r.fromSet(lowerAlnum, 8))
	w.kstr("storageLocations", "us")
}

func gcpSetIamBody(g *gcpGen, c *gcpCall, w *jw) {
	r := g.r
	w.kobj("policy")
	w.karr("bindings")
	for i := 0; i < r.between(2, 6); i++ {
		w.obj()
		w.strs("members", "serviceAccount:"+pick(r, c.p.sas), "user:"+pick(r, c.p.users))
		w.kstr("role", pick(r, []string{"roles/viewer", "roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/storage.objectViewer"}))
		w.end()
	}
	w.endArr()
	w.kstr("etag", r.fromSet(alnumMixed, 11)+"=")
	w.end()
	w.kstr("resource", c.p.id)
}

// plant builds the entries of one planted GCP operation.
func (g *gcpGen) plant(sc *Scenario, t time.Time) ([]plantRec, PlantedEvent, error) {
	r := g.r
	p := pick(r, g.projects)
	ev := PlantedEvent{Cloud: model.GCP, Operation: sc.Operation, Kind: sc.Kind, Scenario: sc.Name, Time: t.UTC()}
	op := gcpOp{method: sc.Operation, service: "compute.googleapis.com", lro: true}
	c := &gcpCall{op: &op, p: p, t: t, zone: "global", principal: pick(r, p.users), ip: r.publicIP()}
	c.ua = strings.Replace(gcpUserAgents[0], "gcloud.compute.instances.create", "gcloud.compute.firewall-rules.create", 1)
	c.ua = strings.Replace(c.ua, "%s", r.hex(32), 1)
	network := "https://www.googleapis.com/compute/v1/projects/" + p.id + "/global/networks/" + pick(r, []string{"default", "prod-vpc", "shared-vpc"})
	fw := pick(r, []string{"allow-ssh", "allow-rdp", "temp-debug", "allow-admin"}) + "-" + r.fromSet(lowerAlnum, 8)
	firewall := func(perm string) {
		c.resourceName = "projects/" + p.id + "/global/firewalls/" + fw
		c.resType = "gce_firewall_rule"
		c.labels = [][2]string{{"firewall_rule_id", r.digits(19)}, {"project_id", p.id}}
		c.perms = []string{perm, "compute.networks.updatePolicy"}
		ev.Resource = c.resourceName
	}
	switch sc.Name {
	case "gcp-fw-insert-ssh-world", "gcp-fw-insert-no-source", "gcp-fw-insert-escaped":
		firewall("compute.firewalls.create")
		proto, port, source := "tcp", "22", true
		switch sc.Name {
		case "gcp-fw-insert-no-source":
			port, source = "3389", false
		case "gcp-fw-insert-escaped":
			proto, port = "all", ""
			c.methodRaw = `v1.compute.firewalls.\u0069nsert`
		}
		c.request = func(w *jw) {
			w.karr("alloweds")
			w.obj()
			w.kstr("IPProtocol", proto)
			if port != "" {
				w.strs("ports", port)
			}
			w.end()
			w.endArr()
			w.kstr("description", "")
			w.kstr("direction", "INGRESS")
			w.kobj("logConfig")
			w.kbool("enable", false)
			w.end()
			w.kstr("name", fw)
			w.kstr("network", network)
			w.kstr("priority", "1000")
			if source {
				w.strs("sourceRanges", "0.0.0.0/0")
			}
		}
	case "gcp-fw-patch-disable":
		firewall("compute.firewalls.update")
		c.request = func(w *jw) {
			w.kbool("disabled", true)
		}
	case "gcp-fw-delete":
		firewall("compute.firewalls.delete")
		c.noRequest = true
	case "gcp-sql-authnet-world":
		inst := pick(r, awsTeams) + "-pg-" + r.fromSet(lowerAlnum, 6)
		op.service = "cloudsql.googleapis.com"
		c.zone = p.zones[0][:len(p.zones[0])-2]
		c.resourceName = "projects/" + p.id + "/instances/" + inst
		c.resType = "cloudsql_database"
		c.labels = [][2]string{{"database_id", p.id + ":" + inst}, {"project_id", p.id}, {"region", c.zone}}
		c.perms = []string{"cloudsql.instances.update"}
		c.ua = "google-cloud-sdk gcloud/467.0.0 command/gcloud.sql.instances.patch invocation-id/" + r.hex(32) + " environment/None,gzip(gfe)"
		ev.Resource = c.resourceName
		c.request = func(w *jw) {
			w.kobj("body")
			w.kobj("settings")
			w.kobj("ipConfiguration")
			w.karr("authorizedNetworks")
			w.obj()
			w.kstr("kind", "sql#aclEntry")
			w.kstr("name", "anywhere")
			w.kstr("value", "0.0.0.0/0")
			w.end()
			w.endArr()
			w.kbool("ipv4Enabled", true)
			w.end()
			w.end()
			w.end()
			w.kstr("instance", inst)
			w.kstr("project", p.id)
		}
	case "gcp-gke-authnets-off":
		cluster := pick(r, awsTeams) + "-gke-" + r.fromSet(lowerAlnum, 6)
		op.service = "container.googleapis.com"
		c.zone = p.zones[0][:len(p.zones[0])-2]
		c.resourceName = "projects/" + p.id + "/locations/" + c.zone + "/clusters/" + cluster
		c.resType = "gke_cluster"
		c.labels = [][2]string{{"cluster_name", cluster}, {"location", c.zone}, {"project_id", p.id}}
		c.perms = []string{"container.clusters.update"}
		c.ua = "google-cloud-sdk gcloud/467.0.0 command/gcloud.container.clusters.update invocation-id/" + r.hex(32) + " environment/None,gzip(gfe)"
		ev.Resource = c.resourceName
		c.request = func(w *jw) {
			w.kstr("name", c.resourceName)
			w.kobj("update")
			// enabled: false, which the JSON of a proto leaves out
			w.kobj("desiredMasterAuthorizedNetworksConfig")
			w.end()
			w.end()
		}
	case "gcp-route-default":
		route := "default-egress-" + r.fromSet(lowerAlnum, 8)
		c.resourceName = "projects/" + p.id + "/global/routes/" + route
		c.resType = "gce_route"
		c.labels = [][2]string{{"project_id", p.id}, {"route_id", r.digits(19)}}
		c.perms = []string{"compute.routes.create", "compute.networks.updatePolicy"}
		ev.Resource = c.resourceName
		c.request = func(w *jw) {
			w.kstr("destRange", "0.0.0.0/0")
			w.kstr("name", route)
			w.kstr("network", network)
			w.kstr("nextHopGateway", "https://www.googleapis.com/compute/v1/projects/"+p.id+"/global/gateways/default-internet-gateway")
			w.kstr("priority", "1000")
		}
	case "gcp-fw-list":
		op.lro = false
		c.resourceName = "projects/" + p.id + "/global/firewalls"
		c.resType = "gce_firewall_rule"
		c.labels = [][2]string{{"project_id", p.id}}
		c.perms = []string{"compute.firewalls.list"}
		ev.Resource = c.resourceName
	case "gcp-metadata-iptables":
		inst := pick(r, p.instances)
		c.zone = pick(r, p.zones)
		c.resourceName = "projects/" + p.id + "/zones/" + c.zone + "/instances/" + inst
		c.resType = "gce_instance"
		c.labels = [][2]string{{"instance_id", r.digits(19)}, {"project_id", p.id}, {"zone", c.zone}}
		c.perms = []string{"compute.instances.setMetadata"}
		ev.Resource = c.resourceName
		c.request = func(w *jw) {
			w.kstr("fingerprint", r.fromSet(alnumMixed, 11)+"=")
			w.karr("items")
			w.obj()
			w.kstr("key", "startup-script")
			w.kstr("value", "#!/bin/bash\niptables -F\niptables -P INPUT ACCEPT\nufw disable\n")
			w.end()
			w.endArr()
		}
	default:
		return nil, ev, fmt.Errorf("scenario %q is not a GCP scenario", sc.Name)
	}
	var recs []plantRec
	if !op.lro {
		var w jw
		id := g.entry(&w, c, 0, t)
		ev.EventID = id
		ev.IDs = []string{id}
		return []plantRec{{data: w.b}}, ev, nil
	}
	c.opID = "operation-" + strconv.FormatInt(t.UnixMilli(), 10) + "-" + r.hex(13) + "-" + r.hex(8) + "-" + r.hex(8)
	var w1, w2 jw
	first := g.entry(&w1, c, 1, t)
	last := g.entry(&w2, c, 2, t.Add(time.Duration(r.between(3, 30))*time.Second))
	recs = append(recs, plantRec{data: w1.b}, plantRec{data: w2.b, wait: r.IntN(10)})
	ev.EventID = first
	ev.IDs = []string{first, last, c.opID}
	return recs, ev, nil
}
