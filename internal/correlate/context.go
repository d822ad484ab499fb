package correlate

import (
	"strings"

	"cloudwall/internal/model"
)

// Context classes of the operations kept around firewall changes
// (model.TimelineEntry.Class).
const (
	ClassRecon       = "recon"       // reads of firewalls, permission enumeration
	ClassDenied      = "denied"      // a call refused for lack of permission
	ClassCredentials = "credentials" // keys, users, logins, role policies
	ClassCompute     = "compute"     // instances launched or started
	ClassLogging     = "logging"     // trails, flow logs, detectors, sinks changed or stopped
	// ClassIdentity is "who am I" (GetCallerIdentity): every SDK and tool
	// asks it, so it is shown in timelines but is not reconnaissance.
	ClassIdentity = "identity"
)

// contextOps are the operations kept as context, by OperationKey. Only a
// few: each one a record the prefilter lets through and the parser
// decodes, so the list stays short and specific (no DescribeInstances).
var contextOps = map[string]string{
	// AWS: firewall reconnaissance.
	"ec2:describesecuritygroups":              ClassRecon,
	"ec2:describesecuritygrouprules":          ClassRecon,
	"ec2:describenetworkacls":                 ClassRecon,
	"ec2:describemanagedprefixlists":          ClassRecon,
	"network-firewall:describefirewall":       ClassRecon,
	"network-firewall:describefirewallpolicy": ClassRecon,
	"network-firewall:listfirewalls":          ClassRecon,
	"wafv2:listwebacls":                       ClassRecon,
	"wafv2:getwebacl":                         ClassRecon,
	// AWS: permission enumeration.
	"iam:getaccountauthorizationdetails": ClassRecon,
	"iam:listattachedrolepolicies":       ClassRecon,
	"iam:listattacheduserpolicies":       ClassRecon,
	"iam:listrolepolicies":               ClassRecon,
	"iam:listuserpolicies":               ClassRecon,
	"iam:simulateprincipalpolicy":        ClassRecon,
	"sts:getcalleridentity":              ClassIdentity,
	// AWS: credentials, compute, logging.
	"iam:createaccesskey":                           ClassCredentials,
	"iam:createloginprofile":                        ClassCredentials,
	"iam:updateloginprofile":                        ClassCredentials,
	"iam:createuser":                                ClassCredentials,
	"iam:attachuserpolicy":                          ClassCredentials,
	"iam:attachrolepolicy":                          ClassCredentials,
	"iam:putuserpolicy":                             ClassCredentials,
	"iam:putrolepolicy":                             ClassCredentials,
	"ec2:createkeypair":                             ClassCredentials,
	"ec2:importkeypair":                             ClassCredentials,
	"ec2:runinstances":                              ClassCompute,
	"cloudtrail:stoplogging":                        ClassLogging,
	"cloudtrail:deletetrail":                        ClassLogging,
	"cloudtrail:updatetrail":                        ClassLogging,
	"cloudtrail:puteventselectors":                  ClassLogging,
	"ec2:deleteflowlogs":                            ClassLogging,
	"guardduty:deletedetector":                      ClassLogging,
	"config:stopconfigurationrecorder":              ClassLogging,
	"compute.firewalls.list":                        ClassRecon,
	"compute.firewalls.get":                         ClassRecon,
	"compute.securitypolicies.list":                 ClassRecon,
	"compute.firewallpolicies.list":                 ClassRecon,
	"compute.networkfirewallpolicies.list":          ClassRecon,
	"compute.projects.get":                          ClassRecon,
	"compute.instances.insert":                      ClassCompute,
	"google.iam.admin.v1.createserviceaccountkey":   ClassCredentials,
	"setiampolicy":                                  ClassCredentials,
	"google.logging.v2.configservicev2.deletesink":  ClassLogging,
	"google.logging.v2.configservicev2.updatesink":  ClassLogging,
	"microsoft.compute/virtualmachines/write":       ClassCompute,
	"microsoft.authorization/roleassignments/write": ClassCredentials,
	"microsoft.insights/diagnosticsettings/delete":  ClassLogging,
}

// deniedAnchors are the error spellings of a refused call, lower case.
var deniedAnchors = []string{"accessdenied", "unauthorizedoperation", "authorizationfailed", "permission_denied"}

// ContextAnchors are the operation keys and error words whose records the
// prefilter must keep for the context correlations.
func ContextAnchors() []string {
	out := make([]string, 0, len(contextOps)+len(deniedAnchors))
	for k := range contextOps {
		out = append(out, k)
	}
	return append(out, deniedAnchors...)
}

// ContextClass returns the context class of an event that is not a
// firewall change, "" for one that is not kept.
func ContextClass(ev *model.Event) string {
	if c, ok := contextOps[ev.OperationKey]; ok {
		return c
	}
	if ev.Outcome == model.Failure {
		code := strings.ToLower(ev.ErrorCode)
		for _, d := range deniedAnchors {
			if strings.Contains(code, d) {
				return ClassDenied
			}
		}
	}
	return ""
}
