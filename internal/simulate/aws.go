package simulate

import (
	"strconv"
	"strings"
	"time"
)

// awsAccount is one account's stable cast: the principals and resources its
// records keep referring to, so a corpus looks like a few real estates and
// not like independent random noise.
type awsAccount struct {
	id        string
	users     []awsUser
	roles     []awsRole
	instances []string
	sgs       []string
	vpcs      []string
	subnets   []string
	acls      []string
	buckets   []string
	keys      []string
	functions []string
	tables    []string
	clusters  []string
	params    []string
	secrets   []string
	stacks    []string
}

type awsUser struct{ name, id, key string }

type roleKind int

const (
	roleInstance      roleKind = iota // EC2 instance profile; session = instance id
	roleSSO                           // IAM Identity Center permission set; session = e-mail
	roleCI                            // deployment pipeline
	roleLambda                        // function execution role
	roleServiceLinked                 // AWSServiceRoleFor...
)

type awsRole struct {
	name, id string
	kind     roleKind
}

var (
	awsRegions       = []string{"us-east-1", "us-east-1", "us-east-1", "us-west-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"}
	awsPeople        = []string{"alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana", "ivan", "julia", "kenji", "leila"}
	awsTeams         = []string{"orders", "billing", "search", "identity", "payments", "catalog", "reporting", "ingest"}
	awsEnvs          = []string{"prod", "staging", "dev"}
	awsPermissionSet = []string{"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "SecurityAudit", "DeveloperAccess"}
)

// awsID makes an EC2-style id: prefix (ending in "0") plus 16 hex digits,
// the 17-digit form current resources use.
func awsID(r *rng, prefix string) string { return prefix + r.hex(16) }

// newAWSAccount builds an account's cast from its own stream, so the same
// account looks the same in every file of the corpus.
func newAWSAccount(seed uint64, n int) *awsAccount {
	r := newRNG(seed, 0xA5000000+uint64(n))
	a := &awsAccount{id: strconv.Itoa(r.between(1, 9)) + r.digits(11)}
	for i, p := range awsPeople[:r.between(4, len(awsPeople))] {
		_ = i
		a.users = append(a.users, awsUser{name: p, id: "AIDA" + r.fromSet(alnumUpper, 17), key: "AKIA" + r.fromSet(alnumUpper, 16)})
	}
	a.users = append(a.users, awsUser{name: "svc-backup", id: "AIDA" + r.fromSet(alnumUpper, 17), key: "AKIA" + r.fromSet(alnumUpper, 16)})
	addRole := func(name string, k roleKind) {
		a.roles = append(a.roles, awsRole{name: name, id: "AROA" + r.fromSet(alnumUpper, 17), kind: k})
	}
	for _, t := range awsTeams[:r.between(3, len(awsTeams))] {
		env := pick(r, awsEnvs)
		addRole(t+"-"+env+"-ec2", roleInstance)
		addRole(t+"-"+env+"-lambdaRole", roleLambda)
		a.functions = append(a.functions, t+"-"+env+"-handler", t+"-"+env+"-worker")
		a.tables = append(a.tables, t+"-"+env)
		a.clusters = append(a.clusters, t+"-"+env)
		a.params = append(a.params, "/"+t+"/"+env+"/db_host", "/"+t+"/"+env+"/api_key", "/"+t+"/"+env+"/feature_flags")
		a.secrets = append(a.secrets, env+"/"+t+"/db-"+r.fromSet(alnumMixed, 6))
		a.stacks = append(a.stacks, t+"-"+env, t+"-"+env+"-network")
		a.buckets = append(a.buckets, t+"-"+env+"-"+a.id+"-artifacts", t+"-"+env+"-data-"+r.fromSet(lowerAlnum, 6))
	}
	for _, p := range awsPermissionSet {
		addRole("AWSReservedSSO_"+p+"_"+r.hex(16), roleSSO)
	}
	addRole("github-actions-deploy", roleCI)
	addRole("TerraformExecution", roleCI)
	addRole("AWSServiceRoleForConfig", roleServiceLinked)
	addRole("AWSServiceRoleForAutoScaling", roleServiceLinked)
	addRole("AWSServiceRoleForECS", roleServiceLinked)
	for i := 0; i < 40; i++ {
		a.instances = append(a.instances, awsID(r, "i-0"))
	}
	for i := 0; i < 4; i++ {
		a.vpcs = append(a.vpcs, awsID(r, "vpc-0"))
		a.acls = append(a.acls, awsID(r, "acl-0"))
	}
	for i := 0; i < 12; i++ {
		a.subnets = append(a.subnets, awsID(r, "subnet-0"))
		a.sgs = append(a.sgs, awsID(r, "sg-0"))
	}
	for i := 0; i < 6; i++ {
		a.keys = append(a.keys, r.uuid())
	}
	return a
}

// Who calls an operation. Real trails are dominated by machines: instance
// profiles, service principals and pipelines; humans are a minority.
type actorHint int

const (
	actAny actorHint = iota
	actInstance
	actService
	actHuman
	actCI
)

type awsOp struct {
	src      string // eventSource without ".amazonaws.com"
	name     string
	weight   int
	readOnly bool
	body     func(g *awsGen, w *jw, c *awsCall)
	actor    actorHint
	svc      string // invoking service host for actService
}

// awsCall is the per-record state shared by the envelope and the body.
type awsCall struct {
	op        *awsOp
	t         time.Time
	failed    bool
	resARN    string
	resType   string
	eventType string
	sharedID  bool
	nameRaw   string // pre-escaped eventName (escape variants)
	actorARN  string
	eventID   string // set before record() to force it; filled in otherwise
	self      string // calling instance, for instance-profile sessions
	selfIP    string
}

// awsOps is the background mix: management events weighted roughly like a
// busy multi-team account. The weights are per 10,000 records.
var awsOps = []awsOp{
	// STS
	{src: "sts", name: "AssumeRole", weight: 900, readOnly: true, body: bAssumeRole, actor: actService},
	{src: "sts", name: "GetCallerIdentity", weight: 250, readOnly: true, body: bNull},
	{src: "sts", name: "AssumeRoleWithWebIdentity", weight: 120, readOnly: true, body: bAssumeRoleWeb, actor: actService, svc: "eks.amazonaws.com"},
	{src: "sts", name: "GetSessionToken", weight: 10, readOnly: true, body: bNull, actor: actHuman},
	{src: "sts", name: "AssumeRoleWithSAML", weight: 15, readOnly: true, body: bAssumeRole, actor: actService, svc: "sso.amazonaws.com"},
	// KMS
	{src: "kms", name: "Decrypt", weight: 900, readOnly: true, body: bKMS},
	{src: "kms", name: "GenerateDataKey", weight: 500, readOnly: true, body: bKMS},
	{src: "kms", name: "Encrypt", weight: 80, readOnly: true, body: bKMS},
	{src: "kms", name: "DescribeKey", weight: 120, readOnly: true, body: bKMSKey},
	{src: "kms", name: "ListAliases", weight: 40, readOnly: true, body: bNull},
	{src: "kms", name: "GetKeyPolicy", weight: 15, readOnly: true, body: bKMSKey},
	{src: "kms", name: "ListKeys", weight: 10, readOnly: true, body: bNull},
	{src: "kms", name: "GenerateDataKeyWithoutPlaintext", weight: 30, readOnly: true, body: bKMS},
	// EC2 reads
	{src: "ec2", name: "DescribeInstances", weight: 450, readOnly: true, body: bDescribeInstances},
	{src: "ec2", name: "DescribeSecurityGroups", weight: 300, readOnly: true, body: bDescribeSecurityGroups},
	{src: "ec2", name: "DescribeNetworkAcls", weight: 80, readOnly: true, body: bDescribeNetworkAcls},
	{src: "ec2", name: "DescribeSecurityGroupRules", weight: 30, readOnly: true, body: bDescribeSGRules},
	{src: "ec2", name: "DescribeSubnets", weight: 120, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeVpcs", weight: 80, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeRouteTables", weight: 40, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeNetworkInterfaces", weight: 120, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeVolumes", weight: 100, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeSnapshots", weight: 40, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeImages", weight: 60, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeInstanceStatus", weight: 150, readOnly: true, body: bDescribeInstances},
	{src: "ec2", name: "DescribeAvailabilityZones", weight: 50, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeRegions", weight: 40, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeAccountAttributes", weight: 30, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeTags", weight: 50, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeAddresses", weight: 30, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeKeyPairs", weight: 15, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeLaunchTemplateVersions", weight: 30, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeInstanceTypes", weight: 20, readOnly: true, body: bEC2Filter},
	{src: "ec2", name: "DescribeVpcEndpoints", weight: 15, readOnly: true, body: bEC2Filter},
	// EC2 writes
	{src: "ec2", name: "RunInstances", weight: 12, body: bRunInstances, actor: actCI},
	{src: "ec2", name: "TerminateInstances", weight: 8, body: bInstanceState},
	{src: "ec2", name: "StartInstances", weight: 5, body: bInstanceState},
	{src: "ec2", name: "StopInstances", weight: 5, body: bInstanceState},
	{src: "ec2", name: "CreateNetworkInterface", weight: 20, body: bCreateNetworkInterface, actor: actService, svc: "lambda.amazonaws.com"},
	{src: "ec2", name: "DeleteNetworkInterface", weight: 15, body: bEC2ID("networkInterfaceId", "eni-0"), actor: actService, svc: "lambda.amazonaws.com"},
	{src: "ec2", name: "CreateTags", weight: 40, body: bCreateTags},
	{src: "ec2", name: "DeleteTags", weight: 5, body: bCreateTags},
	{src: "ec2", name: "CreateSnapshot", weight: 10, body: bCreateSnapshot, actor: actService, svc: "backup.amazonaws.com"},
	{src: "ec2", name: "DeleteSnapshot", weight: 8, body: bEC2ID("snapshotId", "snap-0"), actor: actService, svc: "backup.amazonaws.com"},
	{src: "ec2", name: "CreateVolume", weight: 6, body: bCreateVolume},
	{src: "ec2", name: "AttachVolume", weight: 6, body: bAttachVolume},
	// SSM
	{src: "ssm", name: "UpdateInstanceInformation", weight: 600, body: bUpdateInstanceInformation, actor: actInstance},
	{src: "ssm", name: "UpdateInstanceAssociationStatus", weight: 100, body: bAssociationStatus, actor: actInstance},
	{src: "ssm", name: "ListInstanceAssociations", weight: 150, readOnly: true, body: bInstanceID, actor: actInstance},
	{src: "ssm", name: "GetParameter", weight: 250, readOnly: true, body: bGetParameter},
	{src: "ssm", name: "GetParameters", weight: 100, readOnly: true, body: bGetParameters},
	{src: "ssm", name: "GetParametersByPath", weight: 60, readOnly: true, body: bGetParametersByPath},
	{src: "ssm", name: "DescribeInstanceInformation", weight: 40, readOnly: true, body: bMaxResults},
	{src: "ssm", name: "GetDeployablePatchSnapshotForInstance", weight: 20, readOnly: true, body: bInstanceID, actor: actInstance},
	{src: "ssm", name: "DescribeParameters", weight: 20, readOnly: true, body: bMaxResults},
	{src: "ssm", name: "SendCommand", weight: 5, body: bSendCommandBenign, actor: actCI},
	{src: "ssm", name: "GetCommandInvocation", weight: 20, readOnly: true, body: bCommandInvocation, actor: actCI},
	{src: "ssm", name: "ListCommands", weight: 10, readOnly: true, body: bMaxResults},
	{src: "ssm", name: "PutInventory", weight: 50, body: bInstanceID, actor: actInstance},
	// CloudWatch Logs
	{src: "logs", name: "CreateLogStream", weight: 350, body: bCreateLogStream, actor: actService, svc: "lambda.amazonaws.com"},
	{src: "logs", name: "DescribeLogGroups", weight: 80, readOnly: true, body: bOneParam("logGroupNamePrefix", func(g *awsGen) string { return "/aws/lambda/" + pick(g.r, awsTeams) })},
	{src: "logs", name: "DescribeLogStreams", weight: 60, readOnly: true, body: bLogGroup},
	{src: "logs", name: "CreateLogGroup", weight: 10, body: bLogGroup},
	{src: "logs", name: "PutRetentionPolicy", weight: 5, body: bLogGroup},
	{src: "logs", name: "FilterLogEvents", weight: 15, readOnly: true, body: bLogGroup, actor: actHuman},
	{src: "logs", name: "StartQuery", weight: 5, readOnly: true, body: bLogGroup, actor: actHuman},
	// S3 control plane (no data events)
	{src: "s3", name: "ListBuckets", weight: 60, readOnly: true, body: bS3Bucketless},
	{src: "s3", name: "GetBucketAcl", weight: 150, readOnly: true, body: bS3Bucket, actor: actService, svc: "config.amazonaws.com"},
	{src: "s3", name: "GetBucketLocation", weight: 120, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketPolicy", weight: 50, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketVersioning", weight: 40, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketEncryption", weight: 40, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketPublicAccessBlock", weight: 40, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketTagging", weight: 30, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "GetBucketLogging", weight: 20, readOnly: true, body: bS3Bucket},
	{src: "s3", name: "PutBucketPolicy", weight: 3, body: bPutBucketPolicy, actor: actCI},
	// IAM
	{src: "iam", name: "GetRole", weight: 80, readOnly: true, body: bRoleName},
	{src: "iam", name: "ListRoles", weight: 30, readOnly: true, body: bNull},
	{src: "iam", name: "ListAttachedRolePolicies", weight: 40, readOnly: true, body: bRoleName},
	{src: "iam", name: "ListRolePolicies", weight: 25, readOnly: true, body: bRoleName},
	{src: "iam", name: "GetRolePolicy", weight: 20, readOnly: true, body: bRoleName},
	{src: "iam", name: "GetPolicy", weight: 30, readOnly: true, body: bPolicyARN},
	{src: "iam", name: "GetPolicyVersion", weight: 30, readOnly: true, body: bPolicyARN},
	{src: "iam", name: "ListUsers", weight: 15, readOnly: true, body: bNull},
	{src: "iam", name: "ListAccessKeys", weight: 20, readOnly: true, body: bOneParam("userName", func(g *awsGen) string { return pick(g.r, g.acct.users).name })},
	{src: "iam", name: "GetUser", weight: 15, readOnly: true, body: bOneParam("userName", func(g *awsGen) string { return pick(g.r, g.acct.users).name })},
	{src: "iam", name: "GenerateCredentialReport", weight: 5, readOnly: true, body: bNull},
	{src: "iam", name: "GetAccountSummary", weight: 5, readOnly: true, body: bNull},
	{src: "iam", name: "ListAccountAliases", weight: 10, readOnly: true, body: bNull},
	{src: "iam", name: "CreateRole", weight: 2, body: bRoleName, actor: actCI},
	{src: "iam", name: "AttachRolePolicy", weight: 2, body: bRoleName, actor: actCI},
	// Lambda
	{src: "lambda", name: "ListFunctions20150331", weight: 30, readOnly: true, body: bNull},
	{src: "lambda", name: "GetFunction20150331v2", weight: 20, readOnly: true, body: bOneParam("functionName", func(g *awsGen) string { return pick(g.r, g.acct.functions) })},
	{src: "lambda", name: "UpdateFunctionCode20150331v2", weight: 3, body: bUpdateFunctionCode, actor: actCI},
	// ECR / ECS / EKS
	{src: "ecr", name: "GetAuthorizationToken", weight: 80, readOnly: true, body: bECRToken, actor: actInstance},
	{src: "ecr", name: "BatchGetImage", weight: 40, readOnly: true, body: bECRImage, actor: actInstance},
	{src: "ecr", name: "GetDownloadUrlForLayer", weight: 60, readOnly: true, body: bECRLayer, actor: actInstance},
	{src: "ecr", name: "BatchCheckLayerAvailability", weight: 20, readOnly: true, body: bECRImage, actor: actCI},
	{src: "ecs", name: "DescribeTasks", weight: 60, readOnly: true, body: bECSTasks},
	{src: "ecs", name: "ListTasks", weight: 40, readOnly: true, body: bOneParam("cluster", func(g *awsGen) string { return g.clusterARN("ecs") })},
	{src: "ecs", name: "DescribeServices", weight: 40, readOnly: true, body: bOneParam("cluster", func(g *awsGen) string { return g.clusterARN("ecs") })},
	{src: "ecs", name: "DescribeContainerInstances", weight: 20, readOnly: true, body: bOneParam("cluster", func(g *awsGen) string { return g.clusterARN("ecs") })},
	{src: "ecs", name: "SubmitTaskStateChange", weight: 40, body: bECSTasks, actor: actInstance},
	{src: "ecs", name: "RegisterTaskDefinition", weight: 2, body: bRegisterTaskDefinition, actor: actCI},
	{src: "eks", name: "DescribeCluster", weight: 30, readOnly: true, body: bOneParam("name", func(g *awsGen) string { return pick(g.r, g.acct.clusters) })},
	{src: "eks", name: "ListClusters", weight: 10, readOnly: true, body: bNull},
	// Auto Scaling, ELB, CloudWatch
	{src: "autoscaling", name: "DescribeAutoScalingGroups", weight: 60, readOnly: true, body: bNull},
	{src: "autoscaling", name: "DescribeLaunchConfigurations", weight: 15, readOnly: true, body: bNull, actor: actService, svc: "config.amazonaws.com"},
	{src: "autoscaling", name: "DescribeScalingActivities", weight: 20, readOnly: true, body: bMaxResults},
	{src: "elasticloadbalancing", name: "DescribeLoadBalancers", weight: 40, readOnly: true, body: bNull},
	{src: "elasticloadbalancing", name: "DescribeTargetHealth", weight: 60, readOnly: true, body: bTargetGroup},
	{src: "elasticloadbalancing", name: "DescribeTargetGroups", weight: 40, readOnly: true, body: bNull},
	{src: "elasticloadbalancing", name: "RegisterTargets", weight: 5, body: bTargetGroup, actor: actService, svc: "ecs.amazonaws.com"},
	{src: "monitoring", name: "DescribeAlarms", weight: 80, readOnly: true, body: bMaxResults},
	{src: "monitoring", name: "PutMetricAlarm", weight: 10, body: bPutMetricAlarm, actor: actCI},
	{src: "monitoring", name: "ListMetrics", weight: 20, readOnly: true, body: bNull},
	// CloudFormation, Config, CloudTrail
	{src: "cloudformation", name: "DescribeStacks", weight: 80, readOnly: true, body: bOneParam("stackName", func(g *awsGen) string { return pick(g.r, g.acct.stacks) })},
	{src: "cloudformation", name: "DescribeStackEvents", weight: 30, readOnly: true, body: bOneParam("stackName", func(g *awsGen) string { return pick(g.r, g.acct.stacks) })},
	{src: "cloudformation", name: "ListStacks", weight: 10, readOnly: true, body: bNull},
	{src: "cloudformation", name: "DescribeStackResources", weight: 20, readOnly: true, body: bOneParam("stackName", func(g *awsGen) string { return pick(g.r, g.acct.stacks) })},
	{src: "config", name: "PutEvaluations", weight: 120, body: bPutEvaluations, actor: actService, svc: "config.amazonaws.com"},
	{src: "config", name: "DescribeConfigRules", weight: 20, readOnly: true, body: bNull},
	{src: "cloudtrail", name: "DescribeTrails", weight: 10, readOnly: true, body: bNull},
	{src: "cloudtrail", name: "GetTrailStatus", weight: 10, readOnly: true, body: bOneParam("name", func(g *awsGen) string { return "arn:aws:cloudtrail:us-east-1:" + g.acct.id + ":trail/org-trail" })},
	{src: "cloudtrail", name: "LookupEvents", weight: 10, readOnly: true, body: bMaxResults, actor: actHuman},
	// Secrets, queues, tables, databases, DNS
	{src: "secretsmanager", name: "GetSecretValue", weight: 120, readOnly: true, body: bSecret},
	{src: "secretsmanager", name: "DescribeSecret", weight: 30, readOnly: true, body: bSecret},
	{src: "secretsmanager", name: "ListSecrets", weight: 10, readOnly: true, body: bNull},
	{src: "sqs", name: "ListQueues", weight: 20, readOnly: true, body: bNull},
	{src: "sns", name: "ListTopics", weight: 10, readOnly: true, body: bNull},
	{src: "sns", name: "ListSubscriptions", weight: 5, readOnly: true, body: bNull},
	{src: "dynamodb", name: "DescribeTable", weight: 60, readOnly: true, body: bOneParam("tableName", func(g *awsGen) string { return pick(g.r, g.acct.tables) })},
	{src: "dynamodb", name: "ListTables", weight: 20, readOnly: true, body: bNull},
	{src: "rds", name: "DescribeDBInstances", weight: 60, readOnly: true, body: bNull},
	{src: "rds", name: "DescribeDBClusters", weight: 30, readOnly: true, body: bNull},
	{src: "rds", name: "DescribeDBSnapshots", weight: 10, readOnly: true, body: bNull},
	{src: "route53", name: "ListHostedZones", weight: 10, readOnly: true, body: bNull},
	{src: "route53", name: "ListResourceRecordSets", weight: 10, readOnly: true, body: bOneParam("hostedZoneId", func(g *awsGen) string { return "Z" + g.r.fromSet(alnumUpper, 20) })},
	{src: "route53", name: "ChangeResourceRecordSets", weight: 5, body: bChangeRecordSets, actor: actCI},
	// Console, security services
	{src: "signin", name: "ConsoleLogin", weight: 3, body: bConsoleLogin, actor: actHuman},
	{src: "securityhub", name: "BatchImportFindings", weight: 50, body: bBatchImportFindings, actor: actService, svc: "securityhub.amazonaws.com"},
	{src: "guardduty", name: "ListDetectors", weight: 10, readOnly: true, body: bNull},
	{src: "health", name: "DescribeEventAggregates", weight: 10, readOnly: true, body: bNull},
	{src: "tagging", name: "GetResources", weight: 20, readOnly: true, body: bMaxResults},
	{src: "organizations", name: "DescribeOrganization", weight: 10, readOnly: true, body: bNull},
}

// awsOpWeights is derived from awsOps by newAWSGen.
func awsOpTable() weighted {
	ws := make([]int, len(awsOps))
	for i := range awsOps {
		ws[i] = awsOps[i].weight
	}
	return newWeighted(ws)
}

// awsGen writes CloudTrail records for one file.
type awsGen struct {
	r        *rng
	acct     *awsAccount
	region   string
	ops      weighted
	sessions [actCI + 1][sessionSlots]*awsSession
}

func newAWSGen(r *rng, acct *awsAccount, region string) *awsGen {
	return &awsGen{r: r, acct: acct, region: region, ops: awsOpTable()}
}

// background appends one ordinary record.
func (g *awsGen) background(w *jw, t time.Time) {
	op := &awsOps[g.ops.pick(g.r)]
	c := awsCall{op: op, t: t}
	if g.r.chance(0.015) {
		c.failed = true
	}
	g.record(w, &c)
}

var awsUserAgentsSDK = []string{
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.210-201.852.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"Boto3/1.28.57 Python/3.9.16 Linux/4.14.336-257.566.amzn2.x86_64 exec-env/AWS_Lambda_python3.9 Botocore/1.31.57",
	"aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.1",
	"aws-sdk-java/2.20.162 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
	"aws-sdk-nodejs/2.1540.0 linux/v18.19.0 exec-env/AWS_ECS_FARGATE promise",
	"aws-sdk-js/3.525.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/kms#3.525.0",
}

var awsUserAgentsHuman = []string{
	"aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/",
	"aws-cli/2.13.25 Python/3.11.5 Linux/6.5.0-26-generic exe/x86_64.ubuntu.22 prompt/off command/",
	"aws-cli/1.32.69 md/Botocore#1.34.69 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.69",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:124.0) Gecko/20100101 Firefox/124.0",
	"AWS Internal",
}

var awsUserAgentsCI = []string{
	"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.151.1",
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off command/",
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0-1016-azure md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"cloudformation.amazonaws.com",
}

const ssmAgentUA = "aws-sdk-go/1.44.260 (go1.20.12; linux; amd64) amazon-ssm-agent/3.3.40.0"

var awsServiceHosts = []string{"config.amazonaws.com", "autoscaling.amazonaws.com", "lambda.amazonaws.com", "ecs.amazonaws.com", "elasticloadbalancing.amazonaws.com", "cloudformation.amazonaws.com", "backup.amazonaws.com"}

// cliCommand turns an event name into the aws-cli command suffix
// ("DescribeInstances" -> "ec2.describe-instances").
func cliCommand(src, name string) string {
	var b strings.Builder
	b.WriteString(src)
	b.WriteByte('.')
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		if c >= '0' && c <= '9' && i > 0 && name[i-1] >= 'a' {
			break // versioned Lambda names: stop at the date
		}
		b.WriteRune(c)
	}
	return b.String()
}

// record writes one CloudTrail record in the key order CloudTrail uses.
func (g *awsGen) record(w *jw, c *awsCall) {
	r := g.r
	op := c.op
	w.obj()
	version := "1.08"
	switch x := r.IntN(10); {
	case x < 3:
		version = "1.09"
	case x < 6:
		version = "1.10"
	case x < 7:
		version = "1.05"
	}
	w.kstr("eventVersion", version)
	ua, ip, human := g.identity(w, c)
	w.kstr("eventTime", fmtTime(c.t, awsTime))
	w.kstr("eventSource", op.src+".amazonaws.com")
	if c.nameRaw != "" {
		w.key("eventName")
		w.rawStr(c.nameRaw)
	} else {
		w.kstr("eventName", op.name)
	}
	region := g.region
	if op.src == "iam" || op.src == "signin" || op.src == "route53" || op.src == "organizations" || op.src == "health" {
		region = "us-east-1"
	}
	w.kstr("awsRegion", region)
	w.kstr("sourceIPAddress", ip)
	w.kstr("userAgent", ua)
	if c.failed {
		code, msg := g.failure(c)
		w.kstr("errorCode", code)
		w.kstr("errorMessage", msg)
	}
	op.body(g, w, c)
	w.kstr("requestID", r.uuid())
	if c.eventID == "" {
		c.eventID = r.uuid()
	}
	w.kstr("eventID", c.eventID)
	w.kbool("readOnly", op.readOnly)
	if c.resARN != "" {
		w.karr("resources")
		w.obj()
		w.kstr("accountId", g.acct.id)
		w.kstr("type", c.resType)
		w.kstr("ARN", c.resARN)
		w.end()
		w.endArr()
	}
	et := c.eventType
	if et == "" {
		et = "AwsApiCall"
	}
	w.kstr("eventType", et)
	if op.src == "wafv2" || op.src == "network-firewall" {
		w.kstr("apiVersion", "2019-07-29")
	}
	w.kbool("managementEvent", true)
	w.kstr("recipientAccountId", g.acct.id)
	if c.sharedID {
		w.kstr("sharedEventID", r.uuid())
	}
	if version != "1.05" {
		w.kstr("eventCategory", "Management")
	}
	if !strings.HasSuffix(ip, ".amazonaws.com") && version >= "1.08" && op.src != "signin" {
		w.kobj("tlsDetails")
		if r.chance(0.7) {
			w.kstr("tlsVersion", "TLSv1.3")
			w.kstr("cipherSuite", "TLS_AES_128_GCM_SHA256")
		} else {
			w.kstr("tlsVersion", "TLSv1.2")
			w.kstr("cipherSuite", "ECDHE-RSA-AES128-GCM-SHA256")
		}
		host := op.src + "." + region + ".amazonaws.com"
		if op.src == "iam" || op.src == "route53" || op.src == "s3" && r.chance(0.5) {
			host = op.src + ".amazonaws.com"
		}
		w.kstr("clientProvidedHostHeader", host)
		w.end()
	}
	if human && r.chance(0.5) {
		w.kstr("sessionCredentialFromConsole", "true")
	}
	w.end()
}

// failure picks an error code and message the way each service words them.
func (g *awsGen) failure(c *awsCall) (string, string) {
	op := c.op
	if op.src == "ec2" {
		return "Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + c.actorARN + " is not authorized to perform: ec2:" + op.name + " because no identity-based policy allows the ec2:" + op.name + " action"
	}
	if op.src == "s3" && op.name == "GetBucketPolicy" {
		return "NoSuchBucketPolicy", "The bucket policy does not exist"
	}
	code := "AccessDenied"
	if op.src == "kms" || op.src == "secretsmanager" || op.src == "ssm" {
		code = "AccessDeniedException"
	}
	return code, "User: " + c.actorARN + " is not authorized to perform: " + op.src + ":" + op.name + " because no identity-based policy allows the " + op.src + ":" + op.name + " action"
}

// awsSession is one caller's credentials as a trail sees them: the same
// principal, access key, user agent and address repeat across many
// records, which is also what makes real trails compress well.
type awsSession struct {
	ident   []byte // `"userIdentity":{...}`, rendered once
	svc     string // invoking service, for service sessions
	arn     string
	ua      string
	uaCmd   bool // append the aws-cli command of each call
	console bool // console.<service>.amazonaws.com
	ip      string
	privIP  string
	human   bool
	self    string // the instance an instance-profile session runs on
}

const sessionSlots = 12

// identity writes userIdentity and returns the user agent and source IP
// that fit the caller, and whether the caller is a person. Callers come
// from a small cache of live sessions, renewed now and then.
func (g *awsGen) identity(w *jw, c *awsCall) (ua, ip string, human bool) {
	r := g.r
	hint := c.op.actor
	if hint == actAny {
		switch x := r.IntN(100); {
		case x < 36:
			hint = actInstance
		case x < 66:
			hint = actService
		case x < 86:
			hint = actHuman
		default:
			hint = actCI
		}
	}
	if hint == actService && c.op.src != "sts" && c.op.svc == "" && r.chance(0.5) {
		hint = actInstance
	}
	slot := &g.sessions[hint][r.IntN(sessionSlots)]
	if *slot == nil || c.op.svc != "" && (*slot).svc != c.op.svc || r.chance(0.05) {
		*slot = g.newSession(hint, c)
	}
	s := *slot
	w.sep()
	w.b = append(w.b, s.ident...)
	c.actorARN = s.arn
	c.self, c.selfIP = s.self, s.privIP
	ua, ip = s.ua, s.ip
	switch {
	case s.uaCmd:
		ua += cliCommand(c.op.src, c.op.name)
	case s.console:
		ua = "console." + c.op.src + ".amazonaws.com"
		if c.op.src == "signin" {
			ua = awsUserAgentsHuman[3]
		}
	case s.privIP != "" && c.op.src == "ssm":
		ua, ip = ssmAgentUA, s.privIP
	}
	return ua, ip, s.human
}

func (g *awsGen) newSession(hint actorHint, c *awsCall) *awsSession {
	r := g.r
	a := g.acct
	s := &awsSession{}
	var w jw
	created := c.t.Add(-time.Duration(r.IntN(3600)) * time.Second).Truncate(time.Second)
	w.kobj("userIdentity")
	defer func() { w.end(); s.ident = w.b }()
	switch hint {
	case actService:
		svc := c.op.svc
		if svc == "" {
			svc = pick(r, awsServiceHosts)
		}
		s.svc, s.ua, s.ip = svc, svc, svc
		if c.op.src == "sts" || r.chance(0.6) {
			w.kstr("type", "AWSService")
			w.kstr("invokedBy", svc)
			s.arn = svc
			return s
		}
		// A service acting through its service-linked or execution role.
		role := g.roleOf(roleServiceLinked, roleLambda)
		session := strings.TrimSuffix(svc, ".amazonaws.com") + "-" + r.hex(8)
		if role.kind == roleLambda {
			session = strings.TrimSuffix(role.name, "-lambdaRole") + "-handler"
		}
		g.assumedRole(&w, role, session, created, false)
		w.kstr("invokedBy", svc)
		s.arn = "arn:aws:sts::" + a.id + ":assumed-role/" + role.name + "/" + session
		return s
	case actInstance:
		role := g.roleOf(roleInstance)
		session := pick(r, a.instances)
		s.self = session
		g.assumedRole(&w, role, session, created, true)
		s.arn = "arn:aws:sts::" + a.id + ":assumed-role/" + role.name + "/" + session
		s.ua, s.ip, s.privIP = pick(r, awsUserAgentsSDK), r.publicIP(), r.privateIP()
		return s
	case actCI:
		role := g.roleOf(roleCI)
		session := "botocore-session-" + strconv.FormatInt(c.t.Unix()-int64(r.IntN(900)), 10)
		if role.name == "github-actions-deploy" {
			session = "GitHubActions"
		}
		g.assumedRole(&w, role, session, created, false)
		s.arn = "arn:aws:sts::" + a.id + ":assumed-role/" + role.name + "/" + session
		s.ua, s.ip = pick(r, awsUserAgentsCI), r.publicIP()
		s.uaCmd = strings.HasSuffix(s.ua, "command/")
		return s
	}
	// A person: mostly SSO sessions, some long-lived IAM users, rare root.
	s.human = true
	s.ua, s.ip = pick(r, awsUserAgentsHuman), r.publicIP()
	s.uaCmd = strings.HasSuffix(s.ua, "command/")
	s.console = strings.HasPrefix(s.ua, "Mozilla") && r.chance(0.7)
	switch x := r.IntN(100); {
	case x < 70:
		role := g.roleOf(roleSSO)
		session := pick(r, awsPeople) + "@example.com"
		g.assumedRole(&w, role, session, created, false)
		s.arn = "arn:aws:sts::" + a.id + ":assumed-role/" + role.name + "/" + session
	case x < 98:
		u := pick(r, a.users)
		w.kstr("type", "IAMUser")
		w.kstr("principalId", u.id)
		w.kstr("arn", "arn:aws:iam::"+a.id+":user/"+u.name)
		w.kstr("accountId", a.id)
		w.kstr("accessKeyId", u.key)
		w.kstr("userName", u.name)
		s.arn = "arn:aws:iam::" + a.id + ":user/" + u.name
	default:
		w.kstr("type", "Root")
		w.kstr("principalId", a.id)
		w.kstr("arn", "arn:aws:iam::"+a.id+":root")
		w.kstr("accountId", a.id)
		w.kstr("accessKeyId", "ASIA"+r.fromSet(alnumUpper, 16))
		w.kobj("sessionContext")
		w.kempty("sessionIssuer")
		w.kempty("webIdFederationData")
		w.kobj("attributes")
		w.kstr("creationDate", fmtTime(created, awsTime))
		w.kstr("mfaAuthenticated", "true")
		w.end()
		w.end()
		s.arn = "arn:aws:iam::" + a.id + ":root"
	}
	return s
}

func (g *awsGen) roleOf(kinds ...roleKind) *awsRole {
	for tries := 0; tries < 64; tries++ {
		role := &g.acct.roles[g.r.IntN(len(g.acct.roles))]
		for _, k := range kinds {
			if role.kind == k {
				return role
			}
		}
	}
	return &g.acct.roles[0]
}

func (g *awsGen) assumedRole(w *jw, role *awsRole, session string, created time.Time, ec2 bool) {
	a := g.acct
	w.kstr("type", "AssumedRole")
	w.kstr("principalId", role.id+":"+session)
	w.kstr("arn", "arn:aws:sts::"+a.id+":assumed-role/"+role.name+"/"+session)
	w.kstr("accountId", a.id)
	w.kstr("accessKeyId", "ASIA"+g.r.fromSet(alnumUpper, 16))
	w.kobj("sessionContext")
	w.kobj("sessionIssuer")
	w.kstr("type", "Role")
	w.kstr("principalId", role.id)
	path := "/"
	switch role.kind {
	case roleSSO:
		path = "/aws-reserved/sso.amazonaws.com/"
	case roleServiceLinked:
		path = "/aws-service-role/" + strings.ToLower(strings.TrimPrefix(role.name, "AWSServiceRoleFor")) + ".amazonaws.com/"
	}
	w.kstr("arn", "arn:aws:iam::"+a.id+":role"+path+role.name)
	w.kstr("accountId", a.id)
	w.kstr("userName", role.name)
	w.end()
	w.kempty("webIdFederationData")
	w.kobj("attributes")
	w.kstr("creationDate", fmtTime(created, awsTime))
	w.kstr("mfaAuthenticated", "false")
	w.end()
	if ec2 {
		w.kstr("ec2RoleDelivery", "2.0")
	}
	w.end()
}

// resp starts responseElements; it writes null and reports false for a
// failed call, whose response CloudTrail always logs as null.
func (g *awsGen) resp(w *jw, c *awsCall) bool {
	w.key("responseElements")
	if c.failed {
		w.null()
		return false
	}
	return true
}

func (g *awsGen) ec2Return(w *jw, c *awsCall) {
	if g.resp(w, c) {
		w.obj()
		w.kstr("requestId", g.r.uuid())
		w.kbool("_return", true)
		w.end()
	}
}

func bNull(g *awsGen, w *jw, c *awsCall) {
	w.knull("requestParameters")
	w.knull("responseElements")
}

func bMaxResults(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kint("maxResults", int64(pick(g.r, []int{10, 50, 100, 1000})))
	w.end()
	w.knull("responseElements")
}

func (g *awsGen) roleARN(role *awsRole) string {
	return "arn:aws:iam::" + g.acct.id + ":role/" + role.name
}

func bAssumeRole(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	role := &g.acct.roles[r.IntN(len(g.acct.roles))]
	session := pick(r, []string{"AWSConfig-Describe", "AutoScaling", "aws-go-sdk-" + strconv.FormatInt(c.t.UnixNano()/1e6, 10), pick(r, g.acct.instances), "botocore-session-" + strconv.FormatInt(c.t.Unix(), 10)})
	w.kobj("requestParameters")
	w.kstr("roleArn", g.roleARN(role))
	w.kstr("roleSessionName", session)
	if r.chance(0.4) {
		w.kint("durationSeconds", 3600)
	}
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kobj("credentials")
		w.kstr("accessKeyId", "ASIA"+r.fromSet(alnumUpper, 16))
		w.kstr("sessionToken", r.fromSet(alnumMixed, 180+r.IntN(200)))
		w.kstr("expiration", c.t.Add(time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.kobj("assumedRoleUser")
		w.kstr("assumedRoleId", role.id+":"+session)
		w.kstr("arn", "arn:aws:sts::"+g.acct.id+":assumed-role/"+role.name+"/"+session)
		w.end()
		w.end()
	}
	c.resARN, c.resType = g.roleARN(role), "AWS::IAM::Role"
	c.sharedID = true
}

func bAssumeRoleWeb(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	role := g.roleOf(roleInstance, roleCI)
	w.kobj("requestParameters")
	w.kstr("roleArn", g.roleARN(role))
	w.kstr("roleSessionName", "botocore-session-"+strconv.FormatInt(c.t.Unix(), 10))
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kobj("credentials")
		w.kstr("accessKeyId", "ASIA"+r.fromSet(alnumUpper, 16))
		w.kstr("sessionToken", r.fromSet(alnumMixed, 300))
		w.kstr("expiration", c.t.Add(time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.kstr("subjectFromWebIdentityToken", "system:serviceaccount:"+pick(r, awsTeams)+":default")
		w.kstr("provider", "arn:aws:iam::"+g.acct.id+":oidc-provider/oidc.eks."+g.region+".amazonaws.com/id/"+r.fromSet(alnumUpper, 32))
		w.kstr("audience", "sts.amazonaws.com")
		w.end()
	}
	c.resARN, c.resType = g.roleARN(role), "AWS::IAM::Role"
	c.sharedID = true
}

func (g *awsGen) keyARN() string {
	return "arn:aws:kms:" + g.region + ":" + g.acct.id + ":key/" + pick(g.r, g.acct.keys)
}

func bKMS(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	arn := g.keyARN()
	w.kobj("requestParameters")
	if c.op.name != "Decrypt" || r.chance(0.3) {
		w.kstr("keyId", arn)
	}
	w.kobj("encryptionContext")
	switch r.IntN(4) {
	case 0:
		w.kstr("aws:lambda:FunctionArn", "arn:aws:lambda:"+g.region+":"+g.acct.id+":function:"+pick(r, g.acct.functions))
	case 1:
		w.kstr("aws:s3:arn", "arn:aws:s3:::"+pick(r, g.acct.buckets)+"/"+r.hex(8)+"/"+r.hex(12)+".parquet")
	case 2:
		w.kstr("aws:ebs:id", awsID(r, "vol-0"))
	default:
		w.kstr("SecretARN", "arn:aws:secretsmanager:"+g.region+":"+g.acct.id+":secret:"+pick(r, g.acct.secrets))
		w.kstr("SecretVersionId", r.uuid())
	}
	w.end()
	if c.op.name == "GenerateDataKey" || c.op.name == "GenerateDataKeyWithoutPlaintext" {
		w.kstr("keySpec", "AES_256")
	} else {
		w.kstr("encryptionAlgorithm", "SYMMETRIC_DEFAULT")
	}
	w.end()
	w.knull("responseElements")
	c.resARN, c.resType = arn, "AWS::KMS::Key"
}

func bKMSKey(g *awsGen, w *jw, c *awsCall) {
	arn := g.keyARN()
	w.kobj("requestParameters")
	w.kstr("keyId", arn)
	if c.op.name == "GetKeyPolicy" {
		w.kstr("policyName", "default")
	}
	w.end()
	w.knull("responseElements")
	c.resARN, c.resType = arn, "AWS::KMS::Key"
}

func (g *awsGen) itemsIDs(w *jw, key, field string, ids ...string) {
	w.kobj(key)
	w.karr("items")
	for _, id := range ids {
		w.obj()
		w.kstr(field, id)
		w.end()
	}
	w.endArr()
	w.end()
}

func (g *awsGen) filterSet(w *jw, name string, values ...string) {
	w.kobj("filterSet")
	if name != "" {
		w.karr("items")
		w.obj()
		w.kstr("name", name)
		w.kobj("valueSet")
		w.karr("items")
		for _, v := range values {
			w.obj()
			w.kstr("value", v)
			w.end()
		}
		w.endArr()
		w.end()
		w.end()
		w.endArr()
	}
	w.end()
}

func bDescribeInstances(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	switch r.IntN(3) {
	case 0:
		g.itemsIDs(w, "instancesSet", "instanceId", pick(r, g.acct.instances))
		g.filterSet(w, "")
	case 1:
		w.kempty("instancesSet")
		g.filterSet(w, "tag:aws:autoscaling:groupName", pick(r, awsTeams)+"-"+pick(r, awsEnvs)+"-asg")
	default:
		w.kempty("instancesSet")
		g.filterSet(w, "instance-state-name", "running", "pending")
		w.kint("maxResults", 1000)
	}
	if c.op.name == "DescribeInstanceStatus" {
		w.kbool("includeAllInstances", true)
	}
	w.end()
	w.knull("responseElements")
}

func bDescribeSecurityGroups(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kempty("securityGroupSet")
	if r.chance(0.5) {
		n := r.between(1, 4)
		ids := make([]string, n)
		for i := range ids {
			ids[i] = pick(r, g.acct.sgs)
		}
		g.itemsIDs(w, "securityGroupIdSet", "groupId", ids...)
		g.filterSet(w, "")
	} else {
		w.kempty("securityGroupIdSet")
		g.filterSet(w, "vpc-id", pick(r, g.acct.vpcs))
	}
	w.end()
	w.knull("responseElements")
}

func bDescribeNetworkAcls(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	if r.chance(0.5) {
		g.itemsIDs(w, "networkAclIdSet", "networkAclId", pick(r, g.acct.acls))
		g.filterSet(w, "")
	} else {
		w.kempty("networkAclIdSet")
		g.filterSet(w, "association.subnet-id", pick(r, g.acct.subnets))
	}
	w.end()
	w.knull("responseElements")
}

func bDescribeSGRules(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kobj("DescribeSecurityGroupRulesRequest")
	w.kobj("Filter")
	w.kstr("Name", "group-id")
	w.kobj("Value")
	w.kstr("content", pick(g.r, g.acct.sgs))
	w.kint("tag", 1)
	w.end()
	w.kint("tag", 1)
	w.end()
	w.kint("MaxResults", 1000)
	w.end()
	w.end()
	w.knull("responseElements")
}

func bEC2Filter(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	switch c.op.name {
	case "DescribeSubnets":
		g.itemsIDs(w, "subnetSet", "subnetId", pick(r, g.acct.subnets), pick(r, g.acct.subnets))
	case "DescribeVpcs":
		g.itemsIDs(w, "vpcSet", "vpcId", pick(r, g.acct.vpcs))
	case "DescribeImages":
		w.kempty("executableBySet")
		g.itemsIDs(w, "imagesSet", "imageId", awsID(r, "ami-0"))
		w.kbool("includeDeprecated", false)
	case "DescribeRegions", "DescribeAvailabilityZones":
		g.itemsIDs(w, "regionSet", "regionName", g.region)
	case "DescribeAccountAttributes":
		g.itemsIDs(w, "accountAttributeNameSet", "attributeName", "supported-platforms", "default-vpc")
	default:
		g.filterSet(w, pick(r, []string{"vpc-id", "tag:Name", "resource-id", "attachment.instance-id"}), pick(r, g.acct.vpcs))
		if r.chance(0.5) {
			w.kint("maxResults", 1000)
		}
	}
	w.end()
	w.knull("responseElements")
}

func (g *awsGen) tagSet(w *jw, key string, kv ...string) {
	w.kobj(key)
	w.karr("items")
	for i := 0; i+1 < len(kv); i += 2 {
		w.obj()
		w.kstr("key", kv[i])
		w.kstr("value", kv[i+1])
		w.end()
	}
	w.endArr()
	w.end()
}

// bRunInstances writes the long-tail record: a launch of several instances
// whose response echoes every instance in full (20-40 KB in real trails).
func bRunInstances(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	n := r.between(6, 14)
	team, env := pick(r, awsTeams), pick(r, awsEnvs)
	ami := awsID(r, "ami-0")
	itype := pick(r, []string{"m6i.large", "c6g.xlarge", "t3.medium", "r6i.2xlarge", "m7g.large"})
	subnet := pick(r, g.acct.subnets)
	vpc := pick(r, g.acct.vpcs)
	sg := pick(r, g.acct.sgs)
	az := g.region + pick(r, []string{"a", "b", "c"})
	w.kobj("requestParameters")
	w.kobj("instancesSet")
	w.karr("items")
	w.obj()
	w.kstr("imageId", ami)
	w.kint("minCount", int64(n))
	w.kint("maxCount", int64(n))
	w.end()
	w.endArr()
	w.end()
	w.kstr("instanceType", itype)
	w.kempty("blockDeviceMapping")
	w.kobj("monitoring")
	w.kbool("enabled", false)
	w.end()
	w.kstr("subnetId", subnet)
	w.kbool("disableApiTermination", false)
	w.kbool("disableApiStop", false)
	w.kstr("clientToken", r.uuid())
	w.kobj("tagSpecificationSet")
	w.karr("items")
	w.obj()
	w.kstr("resourceType", "instance")
	g.tagSet(w, "tags", "Name", team+"-"+env, "team", team, "env", env)
	w.end()
	w.endArr()
	w.end()
	w.kobj("launchTemplate")
	w.kstr("launchTemplateId", awsID(r, "lt-0"))
	w.kstr("version", strconv.Itoa(r.between(1, 40)))
	w.end()
	w.end()
	if !g.resp(w, c) {
		return
	}
	w.obj()
	w.kstr("requestId", r.uuid())
	w.kstr("reservationId", awsID(r, "r-0"))
	w.kstr("ownerId", g.acct.id)
	w.kempty("groupSet")
	w.kobj("instancesSet")
	w.karr("items")
	for i := 0; i < n; i++ {
		id := awsID(r, "i-0")
		pip := r.privateIP()
		w.obj()
		w.kstr("instanceId", id)
		w.kstr("imageId", ami)
		w.kobj("instanceState")
		w.kint("code", 0)
		w.kstr("name", "pending")
		w.end()
		w.kstr("privateDnsName", "ip-"+strings.ReplaceAll(pip, ".", "-")+"."+g.region+".compute.internal")
		w.kint("amiLaunchIndex", int64(i))
		w.kempty("productCodes")
		w.kstr("instanceType", itype)
		w.kint("launchTime", c.t.UnixMilli())
		w.kobj("placement")
		w.kstr("availabilityZone", az)
		w.kstr("tenancy", "default")
		w.end()
		w.kobj("monitoring")
		w.kstr("state", "disabled")
		w.end()
		w.kstr("subnetId", subnet)
		w.kstr("vpcId", vpc)
		w.kstr("privateIpAddress", pip)
		w.kobj("stateReason")
		w.kstr("code", "pending")
		w.kstr("message", "pending")
		w.end()
		w.kstr("architecture", "x86_64")
		w.kstr("rootDeviceType", "ebs")
		w.kstr("rootDeviceName", "/dev/xvda")
		w.kempty("blockDeviceMapping")
		w.kstr("virtualizationType", "hvm")
		w.kstr("clientToken", r.uuid())
		g.tagSet(w, "tagSet", "Name", team+"-"+env, "team", team, "env", env, "aws:ec2launchtemplate:version", "7")
		w.kobj("groupSet")
		w.karr("items")
		w.obj()
		w.kstr("groupId", sg)
		w.kstr("groupName", team+"-"+env+"-nodes")
		w.end()
		w.endArr()
		w.end()
		w.kbool("sourceDestCheck", true)
		w.kstr("hypervisor", "xen")
		w.kobj("networkInterfaceSet")
		w.karr("items")
		w.obj()
		w.kstr("networkInterfaceId", awsID(r, "eni-0"))
		w.kstr("subnetId", subnet)
		w.kstr("vpcId", vpc)
		w.kstr("ownerId", g.acct.id)
		w.kstr("status", "in-use")
		w.kstr("macAddress", "0a:"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2))
		w.kstr("privateIpAddress", pip)
		w.kstr("privateDnsName", "ip-"+strings.ReplaceAll(pip, ".", "-")+"."+g.region+".compute.internal")
		w.kbool("sourceDestCheck", true)
		w.kstr("interfaceType", "interface")
		w.kobj("groupSet")
		w.karr("items")
		w.obj()
		w.kstr("groupId", sg)
		w.kstr("groupName", team+"-"+env+"-nodes")
		w.end()
		w.endArr()
		w.end()
		w.kobj("attachment")
		w.kstr("attachmentId", awsID(r, "eni-attach-0"))
		w.kint("deviceIndex", 0)
		w.kint("networkCardIndex", 0)
		w.kstr("status", "attaching")
		w.kint("attachTime", c.t.UnixMilli())
		w.kbool("deleteOnTermination", true)
		w.end()
		w.kobj("privateIpAddressesSet")
		w.karr("items")
		w.obj()
		w.kstr("privateIpAddress", pip)
		w.kstr("privateDnsName", "ip-"+strings.ReplaceAll(pip, ".", "-")+"."+g.region+".compute.internal")
		w.kbool("primary", true)
		w.end()
		w.endArr()
		w.end()
		w.kempty("ipv6AddressesSet")
		w.kempty("tagSet")
		w.end()
		w.endArr()
		w.end()
		w.kbool("ebsOptimized", true)
		w.kbool("enaSupport", true)
		w.kobj("cpuOptions")
		w.kint("coreCount", 1)
		w.kint("threadsPerCore", 2)
		w.end()
		w.kobj("capacityReservationSpecification")
		w.kstr("capacityReservationPreference", "open")
		w.end()
		w.kobj("enclaveOptions")
		w.kbool("enabled", false)
		w.end()
		w.kobj("metadataOptions")
		w.kstr("state", "pending")
		w.kstr("httpTokens", "required")
		w.kint("httpPutResponseHopLimit", 2)
		w.kstr("httpEndpoint", "enabled")
		w.kstr("httpProtocolIpv4", "enabled")
		w.kstr("httpProtocolIpv6", "disabled")
		w.kstr("instanceMetadataTags", "disabled")
		w.end()
		w.kobj("maintenanceOptions")
		w.kstr("autoRecovery", "default")
		w.end()
		w.kstr("bootMode", "uefi-preferred")
		w.kobj("privateDnsNameOptions")
		w.kstr("hostnameType", "ip-name")
		w.kbool("enableResourceNameDnsARecord", false)
		w.kbool("enableResourceNameDnsAAAARecord", false)
		w.end()
		w.kstr("currentInstanceBootMode", "legacy-bios")
		w.end()
	}
	w.endArr()
	w.end()
	w.end()
}

func bInstanceState(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	id := pick(r, g.acct.instances)
	w.kobj("requestParameters")
	g.itemsIDs(w, "instancesSet", "instanceId", id)
	if c.op.name == "StopInstances" {
		w.kbool("force", false)
	}
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kstr("requestId", r.uuid())
		w.kobj("instancesSet")
		w.karr("items")
		w.obj()
		w.kstr("instanceId", id)
		w.kobj("currentState")
		w.kint("code", 32)
		w.kstr("name", "shutting-down")
		w.end()
		w.kobj("previousState")
		w.kint("code", 16)
		w.kstr("name", "running")
		w.end()
		w.end()
		w.endArr()
		w.end()
		w.end()
	}
}

func bCreateNetworkInterface(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	subnet := pick(r, g.acct.subnets)
	sg := pick(r, g.acct.sgs)
	fn := pick(r, g.acct.functions)
	w.kobj("requestParameters")
	w.kstr("subnetId", subnet)
	w.kstr("description", "AWS Lambda VPC ENI-"+fn+"-"+r.uuid())
	g.itemsIDs(w, "groupSet", "groupId", sg)
	w.kempty("privateIpAddressesSet")
	w.kempty("ipv6AddressesSet")
	w.kempty("ipv4PrefixSet")
	w.kempty("ipv6PrefixSet")
	w.kstr("clientToken", r.uuid())
	w.end()
	if !g.resp(w, c) {
		return
	}
	pip := r.privateIP()
	w.obj()
	w.kstr("requestId", r.uuid())
	w.kobj("networkInterface")
	w.kstr("networkInterfaceId", awsID(r, "eni-0"))
	w.kstr("subnetId", subnet)
	w.kstr("vpcId", pick(r, g.acct.vpcs))
	w.kstr("availabilityZone", g.region+"a")
	w.kstr("description", "AWS Lambda VPC ENI-"+fn)
	w.kstr("ownerId", g.acct.id)
	w.kstr("requesterId", "AROA"+r.fromSet(alnumUpper, 17)+":"+fn)
	w.kbool("requesterManaged", false)
	w.kstr("status", "pending")
	w.kstr("macAddress", "0e:"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2)+":"+r.hex(2))
	w.kstr("privateIpAddress", pip)
	w.kstr("privateDnsName", "ip-"+strings.ReplaceAll(pip, ".", "-")+"."+g.region+".compute.internal")
	w.kbool("sourceDestCheck", true)
	w.kobj("groupSet")
	w.karr("items")
	w.obj()
	w.kstr("groupId", sg)
	w.kstr("groupName", fn+"-sg")
	w.end()
	w.endArr()
	w.end()
	w.kempty("ipv6AddressesSet")
	w.kobj("privateIpAddressesSet")
	w.karr("item")
	w.obj()
	w.kstr("privateIpAddress", pip)
	w.kbool("primary", true)
	w.end()
	w.endArr()
	w.end()
	w.kempty("ipv4PrefixSet")
	w.kempty("ipv6PrefixSet")
	w.kstr("interfaceType", "lambda")
	w.kempty("tagSet")
	w.end()
	w.end()
}

// bOneParam builds a read call with one request parameter and no logged
// response.
func bOneParam(key string, value func(*awsGen) string) func(*awsGen, *jw, *awsCall) {
	return func(g *awsGen, w *jw, c *awsCall) {
		w.kobj("requestParameters")
		w.kstr(key, value(g))
		w.end()
		w.knull("responseElements")
	}
}

// bEC2ID builds an EC2 call whose only parameter is one resource id.
func bEC2ID(key, prefix string) func(*awsGen, *jw, *awsCall) {
	return func(g *awsGen, w *jw, c *awsCall) {
		w.kobj("requestParameters")
		w.kstr(key, awsID(g.r, prefix))
		w.end()
		g.ec2Return(w, c)
	}
}

func bCreateTags(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	g.itemsIDs(w, "resourcesSet", "resourceId", pick(r, g.acct.instances))
	g.tagSet(w, "tagSet", "backup", pick(r, []string{"daily", "weekly"}), "owner", pick(r, awsPeople))
	w.end()
	g.ec2Return(w, c)
}

func bCreateSnapshot(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	vol := awsID(r, "vol-0")
	w.kobj("requestParameters")
	w.kstr("volumeId", vol)
	w.kstr("description", "This snapshot is created by the AWS Backup service.")
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kstr("requestId", r.uuid())
		w.kstr("snapshotId", awsID(r, "snap-0"))
		w.kstr("volumeId", vol)
		w.kstr("status", "pending")
		w.kint("startTime", c.t.UnixMilli())
		w.kstr("progress", "")
		w.kstr("ownerId", g.acct.id)
		w.kint("volumeSize", int64(pick(r, []int{8, 20, 100, 500})))
		w.kbool("encrypted", true)
		w.end()
	}
}

func bCreateVolume(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kint("size", int64(pick(r, []int{20, 100, 200})))
	w.kstr("zone", g.region+"b")
	w.kstr("volumeType", "gp3")
	w.kbool("encrypted", true)
	w.kstr("clientToken", r.uuid())
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kstr("requestId", r.uuid())
		w.kstr("volumeId", awsID(r, "vol-0"))
		w.kstr("status", "creating")
		w.kstr("volumeType", "gp3")
		w.kint("iops", 3000)
		w.kint("throughput", 125)
		w.end()
	}
}

func bAttachVolume(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("volumeId", awsID(r, "vol-0"))
	w.kstr("instanceId", pick(r, g.acct.instances))
	w.kstr("device", "/dev/sdf")
	w.end()
	g.ec2Return(w, c)
}

// instanceOf is the instance a call is about: the caller's own for agents
// running on an instance, otherwise any.
func (g *awsGen) instanceOf(c *awsCall) (id, ip string) {
	if c.self != "" {
		return c.self, c.selfIP
	}
	return pick(g.r, g.acct.instances), g.r.privateIP()
}

func bUpdateInstanceInformation(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	id, pip := g.instanceOf(c)
	w.kobj("requestParameters")
	w.kstr("instanceId", id)
	w.kstr("agentVersion", "3.3.40.0")
	w.kstr("agentStatus", "Active")
	w.kstr("platformType", "Linux")
	w.kstr("platformName", "Amazon Linux")
	w.kstr("platformVersion", "2023")
	w.kstr("iPAddress", pip)
	w.kstr("computerName", "ip-"+strings.ReplaceAll(pip, ".", "-")+"."+g.region+".compute.internal")
	w.kstr("agentName", "amazon-ssm-agent")
	w.kstr("availabilityZone", g.region+"a")
	w.kstr("availabilityZoneId", zoneIDPrefix(g.region)+"-az"+strconv.Itoa(r.between(1, 6)))
	w.kstr("sSMConnectionChannel", "ssmmessages")
	w.end()
	w.knull("responseElements")
}

func bAssociationStatus(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("associationId", r.uuid())
	id, _ := g.instanceOf(c)
	w.kstr("instanceId", id)
	w.kobj("executionResult")
	w.kstr("status", "Success")
	w.kstr("detailedStatus", "Success")
	w.kstr("executionDate", c.t.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
	w.kstr("executionSummary", "1 out of 1 plugin processed, 1 success, 0 failed, 0 timedout, 0 skipped. ")
	w.end()
	w.end()
	w.knull("responseElements")
}

func bInstanceID(g *awsGen, w *jw, c *awsCall) {
	id, _ := g.instanceOf(c)
	w.kobj("requestParameters")
	w.kstr("instanceId", id)
	if c.op.name == "GetDeployablePatchSnapshotForInstance" {
		w.kstr("snapshotId", g.r.uuid())
	}
	w.end()
	w.knull("responseElements")
}

func bGetParameter(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kstr("name", pick(g.r, g.acct.params))
	w.kbool("withDecryption", g.r.chance(0.6))
	w.end()
	w.knull("responseElements")
}

func bGetParameters(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.strs("names", pick(g.r, g.acct.params), pick(g.r, g.acct.params))
	w.kbool("withDecryption", true)
	w.end()
	w.knull("responseElements")
}

func bGetParametersByPath(g *awsGen, w *jw, c *awsCall) {
	p := pick(g.r, g.acct.params)
	w.kobj("requestParameters")
	w.kstr("path", p[:strings.LastIndexByte(p, '/')+1])
	w.kbool("withDecryption", true)
	w.kbool("recursive", true)
	w.end()
	w.knull("responseElements")
}

func bSendCommandBenign(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.strs("instanceIds", pick(r, g.acct.instances))
	w.kstr("documentName", "AWS-RunShellScript")
	w.kobj("parameters")
	w.strs("commands", pick(r, []string{"sudo yum update -y", "systemctl restart nginx", "df -h", "sudo docker system prune -af"}))
	w.end()
	w.kbool("interactive", false)
	w.end()
	if g.resp(w, c) {
		g.ssmCommandResponse(w, c.t)
	}
}

func (g *awsGen) ssmCommandResponse(w *jw, t time.Time) {
	r := g.r
	w.obj()
	w.kobj("command")
	w.kstr("commandId", r.uuid())
	w.kstr("documentName", "AWS-RunShellScript")
	w.kstr("documentVersion", "$DEFAULT")
	w.kstr("comment", "")
	w.kstr("expiresAfter", t.Add(time.Hour).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
	w.kstr("parameters", "HIDDEN_DUE_TO_SECURITY_REASONS")
	w.kstr("status", "Pending")
	w.kstr("statusDetails", "Pending")
	w.kstr("outputS3Region", g.region)
	w.kstr("outputS3BucketName", "")
	w.kstr("outputS3KeyPrefix", "")
	w.kstr("maxConcurrency", "50")
	w.kstr("maxErrors", "0")
	w.kint("targetCount", 1)
	w.kint("completedCount", 0)
	w.kint("errorCount", 0)
	w.kint("deliveryTimedOutCount", 0)
	w.kstr("serviceRole", "")
	w.kobj("notificationConfig")
	w.kstr("notificationArn", "")
	w.kempty("notificationEvents")
	w.kstr("notificationType", "")
	w.end()
	w.kobj("cloudWatchOutputConfig")
	w.kstr("cloudWatchLogGroupName", "")
	w.kbool("cloudWatchOutputEnabled", false)
	w.end()
	w.kint("timeoutSeconds", 3600)
	w.end()
	w.end()
}

func bCommandInvocation(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kstr("commandId", g.r.uuid())
	w.kstr("instanceId", pick(g.r, g.acct.instances))
	w.end()
	w.knull("responseElements")
}

func bCreateLogStream(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("logGroupName", "/aws/lambda/"+pick(r, g.acct.functions))
	w.kstr("logStreamName", c.t.UTC().Format("2006/01/02")+"/[$LATEST]"+r.hex(32))
	w.end()
	w.knull("responseElements")
}

func bLogGroup(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("logGroupName", pick(r, []string{"/aws/lambda/", "/ecs/", "/aws/eks/"})+pick(r, g.acct.functions))
	switch c.op.name {
	case "PutRetentionPolicy":
		w.kint("retentionInDays", 30)
	case "DescribeLogStreams":
		w.kstr("orderBy", "LastEventTime")
		w.kbool("descending", true)
	case "FilterLogEvents", "StartQuery":
		w.kint("startTime", c.t.Add(-time.Hour).UnixMilli())
		w.kint("endTime", c.t.UnixMilli())
	}
	w.end()
	w.knull("responseElements")
}

func (g *awsGen) s3Extra(w *jw, bucket string) {
	r := g.r
	w.kobj("additionalEventData")
	w.kstr("SignatureVersion", "SigV4")
	w.kstr("CipherSuite", "TLS_AES_128_GCM_SHA256")
	w.kint("bytesTransferredIn", 0)
	w.kstr("AuthenticationMethod", "AuthHeader")
	w.kstr("x-amz-id-2", r.fromSet(alnumMixed, 76)+"=")
	w.kint("bytesTransferredOut", int64(r.between(100, 2000)))
	w.end()
}

func bS3Bucketless(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kstr("Host", "s3."+g.region+".amazonaws.com")
	w.end()
	w.knull("responseElements")
	g.s3Extra(w, "")
}

var s3Subresource = map[string]string{
	"GetBucketAcl": "acl", "GetBucketLocation": "location", "GetBucketPolicy": "policy", "GetBucketVersioning": "versioning",
	"GetBucketEncryption": "encryption", "GetBucketPublicAccessBlock": "publicAccessBlock", "GetBucketTagging": "tagging", "GetBucketLogging": "logging",
}

func bS3Bucket(g *awsGen, w *jw, c *awsCall) {
	b := pick(g.r, g.acct.buckets)
	w.kobj("requestParameters")
	w.kstr("bucketName", b)
	w.kstr("Host", b+".s3."+g.region+".amazonaws.com")
	w.kstr(s3Subresource[c.op.name], "")
	w.end()
	w.knull("responseElements")
	g.s3Extra(w, b)
	c.resARN, c.resType = "arn:aws:s3:::"+b, "AWS::S3::Bucket"
}

func bPutBucketPolicy(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	b := pick(r, g.acct.buckets)
	w.kobj("requestParameters")
	w.kstr("bucketName", b)
	w.kstr("Host", b+".s3."+g.region+".amazonaws.com")
	w.kobj("bucketPolicy")
	w.kstr("Version", "2012-10-17")
	w.karr("Statement")
	for i := 0; i < r.between(2, 5); i++ {
		w.obj()
		w.kstr("Sid", "Stmt"+r.digits(13))
		w.kstr("Effect", "Allow")
		w.kobj("Principal")
		w.kstr("AWS", "arn:aws:iam::"+g.acct.id+":role/"+g.roleOf(roleLambda, roleInstance).name)
		w.end()
		w.strs("Action", "s3:GetObject", "s3:PutObject", "s3:ListBucket")
		w.strs("Resource", "arn:aws:s3:::"+b, "arn:aws:s3:::"+b+"/*")
		w.end()
	}
	w.endArr()
	w.end()
	w.kstr("policy", "")
	w.end()
	w.knull("responseElements")
	g.s3Extra(w, b)
	c.resARN, c.resType = "arn:aws:s3:::"+b, "AWS::S3::Bucket"
}

func bRoleName(g *awsGen, w *jw, c *awsCall) {
	role := &g.acct.roles[g.r.IntN(len(g.acct.roles))]
	w.kobj("requestParameters")
	w.kstr("roleName", role.name)
	switch c.op.name {
	case "GetRolePolicy":
		w.kstr("policyName", "inline-"+pick(g.r, awsTeams))
	case "AttachRolePolicy":
		w.kstr("policyArn", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
	case "CreateRole":
		w.kstr("assumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	}
	w.end()
	w.knull("responseElements")
}

func bPolicyARN(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.kstr("policyArn", "arn:aws:iam::aws:policy/"+pick(g.r, []string{"AmazonSSMManagedInstanceCore", "ReadOnlyAccess", "AmazonEKSWorkerNodePolicy", "CloudWatchAgentServerPolicy"}))
	if c.op.name == "GetPolicyVersion" {
		w.kstr("versionId", "v"+strconv.Itoa(g.r.between(1, 9)))
	}
	w.end()
	w.knull("responseElements")
}

func bUpdateFunctionCode(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	fn := pick(r, g.acct.functions)
	w.kobj("requestParameters")
	w.kstr("functionName", fn)
	w.kbool("publish", false)
	w.kbool("dryRun", false)
	w.kstr("s3Bucket", pick(r, g.acct.buckets))
	w.kstr("s3Key", fn+"/"+r.hex(32)+".zip")
	w.end()
	if !g.resp(w, c) {
		return
	}
	w.obj()
	w.kstr("functionName", fn)
	w.kstr("functionArn", "arn:aws:lambda:"+g.region+":"+g.acct.id+":function:"+fn)
	w.kstr("runtime", "python3.12")
	w.kstr("role", "arn:aws:iam::"+g.acct.id+":role/"+g.roleOf(roleLambda).name)
	w.kstr("handler", "app.handler")
	w.kint("codeSize", int64(r.between(10000, 9000000)))
	w.kstr("description", "")
	w.kint("timeout", 30)
	w.kint("memorySize", 512)
	w.kstr("lastModified", c.t.UTC().Format("2006-01-02T15:04:05.000+0000"))
	w.kstr("codeSha256", r.fromSet(alnumMixed, 43)+"=")
	w.kstr("version", "$LATEST")
	w.kobj("vpcConfig")
	w.strs("subnetIds", pick(r, g.acct.subnets), pick(r, g.acct.subnets))
	w.strs("securityGroupIds", pick(r, g.acct.sgs))
	w.kstr("vpcId", pick(r, g.acct.vpcs))
	w.end()
	w.kobj("tracingConfig")
	w.kstr("mode", "PassThrough")
	w.end()
	w.kstr("revisionId", r.uuid())
	w.kstr("state", "Active")
	w.kstr("lastUpdateStatus", "InProgress")
	w.kstr("packageType", "Zip")
	w.strs("architectures", "arm64")
	w.kobj("ephemeralStorage")
	w.kint("size", 512)
	w.end()
	w.end()
}

func bECRToken(g *awsGen, w *jw, c *awsCall) {
	w.kobj("requestParameters")
	w.end()
	w.knull("responseElements")
}

func (g *awsGen) repo() string {
	return pick(g.r, awsTeams) + "/" + pick(g.r, []string{"api", "worker", "web", "cron"})
}

func bECRImage(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	repo := g.repo()
	w.kobj("requestParameters")
	w.kstr("registryId", g.acct.id)
	w.kstr("repositoryName", repo)
	w.karr("imageIds")
	w.obj()
	w.kstr("imageTag", pick(r, []string{"latest", "v1." + strconv.Itoa(r.IntN(40)) + "." + strconv.Itoa(r.IntN(10)), r.hex(7)}))
	w.end()
	w.endArr()
	w.strs("acceptedMediaTypes", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json")
	w.end()
	w.knull("responseElements")
	c.resARN, c.resType = "arn:aws:ecr:"+g.region+":"+g.acct.id+":repository/"+repo, "AWS::ECR::Repository"
}

func bECRLayer(g *awsGen, w *jw, c *awsCall) {
	repo := g.repo()
	w.kobj("requestParameters")
	w.kstr("registryId", g.acct.id)
	w.kstr("repositoryName", repo)
	w.kstr("layerDigest", "sha256:"+g.r.hex(64))
	w.end()
	w.knull("responseElements")
	c.resARN, c.resType = "arn:aws:ecr:"+g.region+":"+g.acct.id+":repository/"+repo, "AWS::ECR::Repository"
}

func (g *awsGen) clusterARN(kind string) string {
	return "arn:aws:" + kind + ":" + g.region + ":" + g.acct.id + ":cluster/" + pick(g.r, g.acct.clusters)
}

func bECSTasks(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	cl := g.clusterARN("ecs")
	w.kobj("requestParameters")
	w.kstr("cluster", cl)
	w.karr("tasks")
	for i := 0; i < r.between(1, 6); i++ {
		w.str(strings.Replace(cl, ":cluster/", ":task/", 1) + "/" + r.hex(32))
	}
	w.endArr()
	if c.op.name == "SubmitTaskStateChange" {
		w.kstr("status", "RUNNING")
	}
	w.end()
	w.knull("responseElements")
}

// bRegisterTaskDefinition is another long-tail record: container
// definitions with environment lists run to several kilobytes.
func bRegisterTaskDefinition(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	fam := pick(r, awsTeams) + "-" + pick(r, awsEnvs)
	w.kobj("requestParameters")
	w.kstr("family", fam)
	w.kstr("taskRoleArn", "arn:aws:iam::"+g.acct.id+":role/"+g.roleOf(roleLambda).name)
	w.kstr("networkMode", "awsvpc")
	w.karr("containerDefinitions")
	for i := 0; i < r.between(1, 3); i++ {
		w.obj()
		w.kstr("name", fam+"-"+strconv.Itoa(i))
		w.kstr("image", g.acct.id+".dkr.ecr."+g.region+".amazonaws.com/"+g.repo()+":"+r.hex(7))
		w.kint("cpu", 256)
		w.kint("memory", 512)
		w.karr("portMappings")
		w.obj()
		w.kint("containerPort", 8080)
		w.kint("hostPort", 8080)
		w.kstr("protocol", "tcp")
		w.end()
		w.endArr()
		w.kbool("essential", true)
		w.karr("environment")
		for j := 0; j < r.between(10, 40); j++ {
			w.obj()
			w.kstr("name", "APP_SETTING_"+strconv.Itoa(j))
			w.kstr("value", r.fromSet(alnumMixed, r.between(4, 40)))
			w.end()
		}
		w.endArr()
		w.kobj("logConfiguration")
		w.kstr("logDriver", "awslogs")
		w.kobj("options")
		w.kstr("awslogs-group", "/ecs/"+fam)
		w.kstr("awslogs-region", g.region)
		w.kstr("awslogs-stream-prefix", "ecs")
		w.end()
		w.end()
		w.end()
	}
	w.endArr()
	w.strs("requiresCompatibilities", "FARGATE")
	w.kstr("cpu", "512")
	w.kstr("memory", "1024")
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kobj("taskDefinition")
		w.kstr("taskDefinitionArn", "arn:aws:ecs:"+g.region+":"+g.acct.id+":task-definition/"+fam+":"+strconv.Itoa(r.between(1, 300)))
		w.kstr("family", fam)
		w.kint("revision", int64(r.between(1, 300)))
		w.kstr("status", "ACTIVE")
		w.end()
		w.end()
	}
}

func bTargetGroup(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("targetGroupArn", "arn:aws:elasticloadbalancing:"+g.region+":"+g.acct.id+":targetgroup/"+pick(r, awsTeams)+"-tg/"+r.hex(16))
	if c.op.name == "RegisterTargets" {
		w.karr("targets")
		w.obj()
		w.kstr("id", r.privateIP())
		w.kint("port", 8080)
		w.end()
		w.endArr()
	}
	w.end()
	w.knull("responseElements")
}

func bPutMetricAlarm(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("alarmName", pick(r, awsTeams)+"-"+pick(r, awsEnvs)+"-high-cpu")
	w.kstr("metricName", "CPUUtilization")
	w.kstr("namespace", "AWS/EC2")
	w.kstr("statistic", "Average")
	w.kint("period", 300)
	w.kint("evaluationPeriods", 2)
	w.kfloat("threshold", 80.0)
	w.kstr("comparisonOperator", "GreaterThanThreshold")
	w.strs("alarmActions", "arn:aws:sns:"+g.region+":"+g.acct.id+":ops-alerts")
	w.end()
	w.knull("responseElements")
}

func (w *jw) kfloat(k string, v float64) { w.key(k); w.float(v) }

// bPutEvaluations carries AWS Config's long result token, which makes
// these frequent records some of the larger ones in a trail.
func bPutEvaluations(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.karr("evaluations")
	for i := 0; i < r.between(1, 4); i++ {
		w.obj()
		typ, id := "AWS::EC2::SecurityGroup", pick(r, g.acct.sgs)
		switch r.IntN(3) {
		case 0:
			typ, id = "AWS::S3::Bucket", pick(r, g.acct.buckets)
		case 1:
			typ, id = "AWS::EC2::Instance", pick(r, g.acct.instances)
		}
		w.kstr("complianceResourceType", typ)
		w.kstr("complianceResourceId", id)
		w.kstr("complianceType", pick(r, []string{"COMPLIANT", "COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"}))
		w.kstr("orderingTimestamp", c.t.Add(-time.Minute).UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
	}
	w.endArr()
	w.kstr("resultToken", r.fromSet(alnumMixed, r.between(600, 1400)))
	w.kbool("testMode", false)
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.karr("failedEvaluations")
		w.endArr()
		w.end()
	}
}

func bSecret(g *awsGen, w *jw, c *awsCall) {
	arn := "arn:aws:secretsmanager:" + g.region + ":" + g.acct.id + ":secret:" + pick(g.r, g.acct.secrets)
	w.kobj("requestParameters")
	w.kstr("secretId", arn)
	w.end()
	w.knull("responseElements")
	c.resARN, c.resType = arn, "AWS::SecretsManager::Secret"
}

func bChangeRecordSets(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.kstr("hostedZoneId", "Z"+r.fromSet(alnumUpper, 20))
	w.kobj("changeBatch")
	w.karr("changes")
	w.obj()
	w.kstr("action", "UPSERT")
	w.kobj("resourceRecordSet")
	w.kstr("name", pick(r, awsTeams)+".internal.example.com")
	w.kstr("type", "A")
	w.kint("tTL", 60)
	w.karr("resourceRecords")
	w.obj()
	w.kstr("value", r.privateIP())
	w.end()
	w.endArr()
	w.end()
	w.end()
	w.endArr()
	w.end()
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kobj("changeInfo")
		w.kstr("id", "/change/C"+r.fromSet(alnumUpper, 20))
		w.kstr("status", "PENDING")
		w.kstr("submittedAt", c.t.UTC().Format("Jan 2, 2006, 3:04:05 PM"))
		w.end()
		w.end()
	}
}

func bConsoleLogin(g *awsGen, w *jw, c *awsCall) {
	w.knull("requestParameters")
	w.kobj("responseElements")
	if c.failed {
		w.kstr("ConsoleLogin", "Failure")
	} else {
		w.kstr("ConsoleLogin", "Success")
	}
	w.end()
	w.kobj("additionalEventData")
	w.kstr("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true")
	w.kstr("MobileVersion", "No")
	w.kstr("MFAUsed", "Yes")
	w.end()
	c.eventType = "AwsConsoleSignIn"
}

func bBatchImportFindings(g *awsGen, w *jw, c *awsCall) {
	r := g.r
	w.kobj("requestParameters")
	w.karr("findings")
	for i := 0; i < r.between(1, 3); i++ {
		w.obj()
		w.kstr("SchemaVersion", "2018-10-08")
		w.kstr("Id", "arn:aws:securityhub:"+g.region+":"+g.acct.id+":subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/"+r.uuid())
		w.kstr("ProductArn", "arn:aws:securityhub:"+g.region+"::product/aws/securityhub")
		w.kstr("GeneratorId", "aws-foundational-security-best-practices/v/1.0.0/EC2.19")
		w.kstr("AwsAccountId", g.acct.id)
		w.strs("Types", "Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices")
		w.kstr("UpdatedAt", fmtTime(c.t, "2006-01-02T15:04:05.000Z"))
		w.kobj("Compliance")
		w.kstr("Status", pick(r, []string{"PASSED", "PASSED", "FAILED"}))
		w.end()
		w.end()
	}
	w.endArr()
	w.end()
	if g.resp(w, c) {
		w.obj()
		w.kint("FailedCount", 0)
		w.kint("SuccessCount", 1)
		w.end()
	}
}

// zoneIDPrefix abbreviates a region the way zone ids do (us-east-1 ->
// use1, ap-southeast-2 -> apse2).
func zoneIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	mid := parts[1][:1]
	switch parts[1] {
	case "northeast", "southeast", "northwest", "southwest":
		mid = parts[1][:1] + parts[1][5:6]
	}
	return parts[0] + mid + parts[2]
}
