package config

import (
	"strings"

	"cloudwall/internal/model"
)

// Identities are the identity facts of a caller that automation entries
// and approvals match against. None of them is chosen by the caller the
// way a user agent or a session name is.
type Identities struct {
	Roles           []string // IAM role ARN and name behind an assumed-role session
	Users           []string // IAM user ARN and name, Azure UPN and object id, GCP user e-mail
	ServiceAccounts []string // GCP service accounts, Azure service principal object ids
	AppIDs          []string // Azure application (client) ids
	InvokedBy       []string // the service acting for the principal
}

// IdentitiesOf reads the identity facts of an actor.
func IdentitiesOf(a model.Actor) Identities {
	var id Identities
	typ := strings.ToLower(a.Type)
	switch {
	case strings.Contains(a.ID, ":assumed-role/"):
		if arn, name, ok := RoleOfSession(a.ID); ok {
			id.Roles = append(id.Roles, arn, name)
		}
	case strings.Contains(a.ID, ":role/"):
		id.Roles = append(id.Roles, a.ID, lastPart(a.ID))
	case typ == "serviceaccount":
		id.ServiceAccounts = append(id.ServiceAccounts, a.ID, a.Name)
	case typ == "serviceprincipal":
		id.ServiceAccounts = append(id.ServiceAccounts, a.ID)
		id.AppIDs = append(id.AppIDs, a.ViaService)
	case typ == "awsservice":
		id.InvokedBy = append(id.InvokedBy, a.ID)
	default:
		id.Users = append(id.Users, a.ID, a.Name)
	}
	if a.ViaService != "" && typ != "serviceprincipal" {
		id.InvokedBy = append(id.InvokedBy, a.ViaService)
	}
	return id
}

// RoleOfSession turns arn:aws:sts::123456789012:assumed-role/Name/session
// into the role's ARN (arn:aws:iam::123456789012:role/Name) and name. The
// role's path is not in the session ARN; patterns should allow for it
// (arn:aws:iam::*:role/*terraform*).
func RoleOfSession(arn string) (roleARN, name string, ok bool) {
	head, rest, ok := strings.Cut(arn, ":assumed-role/")
	if !ok {
		return "", "", false
	}
	name, _, _ = strings.Cut(rest, "/")
	head = strings.Replace(head, ":sts:", ":iam:", 1)
	return head + ":role/" + name, name, name != ""
}

func lastPart(s string) string {
	if i := strings.LastIndexAny(s, "/:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// AutomationFor returns the configured automation entry that matches the
// event's identity, and, when a user agent was listed, its user agent too.
func (c *Config) AutomationFor(ev *model.Event) (*Automation, bool) {
	if c == nil {
		return nil, false
	}
	id := IdentitiesOf(ev.Actor)
	for i := range c.Automation {
		a := &c.Automation[i]
		if !(AnyMatch(a.Roles, id.Roles...) || AnyMatch(a.Users, id.Users...) ||
			AnyMatch(a.ServiceAccounts, id.ServiceAccounts...) || AnyMatch(a.AzureAppIDs, id.AppIDs...) ||
			AnyMatch(a.InvokedBy, id.InvokedBy...)) {
			continue
		}
		if len(a.UserAgents) > 0 && !AnyMatch(a.UserAgents, ev.UserAgent) {
			continue
		}
		return a, true
	}
	return nil, false
}

// IdentityOf resolves who acted, across sessions and clouds: a configured
// identity whose patterns match the principal (its id, name or the
// identity the log resolves), else what the log itself resolves, lower
// case:
//   - an AWS IAM Identity Center session: the person's user name or e-mail
//     (the session name Identity Center sets, not one the caller chose);
//   - Azure: the user principal name (upn) when there is one, else the
//     object id;
//   - the original caller the log names apart from the principal
//     (Actor.OriginalCaller): an AWS source identity, the IAM Identity
//     Center user a session acts for (onBehalfOf), a SAML or web-identity
//     subject, the first caller of a GCP service-account impersonation
//     chain (serviceAccountDelegationInfo);
//   - an AWS record that names only the access key: "access key AKIA…";
//   - any other AWS role session: the role's ARN (without its path, which
//     the session ARN does not hold), not the session the caller named;
//   - otherwise the principal as logged (an ARN).
//
// The same e-mail in Azure claims, a GCP principal and an AWS SSO session
// name is therefore one identity. c may be nil.
func (c *Config) IdentityOf(cloud model.Cloud, a model.Actor) string {
	own := ownIdentity(cloud, a)
	if c != nil {
		for _, m := range c.Identities {
			if AnyMatch(m.Match, a.ID, a.Name, own) {
				return m.Name
			}
		}
	}
	return own
}

func ownIdentity(cloud model.Cloud, a model.Actor) string {
	switch {
	case cloud == model.AWS && identityCenterPerson(a):
		return strings.ToLower(a.Name)
	case a.OriginalCaller != "":
		// A source identity, the Identity Center user a session acts for,
		// a federated subject, the first caller of an impersonation chain.
		return strings.ToLower(a.OriginalCaller)
	case cloud == model.Azure && strings.Contains(a.Name, "@"):
		return strings.ToLower(a.Name)
	case cloud == model.GCP && strings.Contains(a.ViaService, "@"):
		return strings.ToLower(a.ViaService)
	case cloud == model.AWS && a.ID == "" && strings.TrimSpace(a.AccessKey) != "":
		// No principal, only the access key: the key is the identity,
		// as AWS spells it, so a key's calls group together.
		return "access key " + strings.TrimSpace(a.AccessKey)
	}
	if role, _, ok := RoleOfSession(a.ID); ok && cloud == model.AWS {
		// Any other role session: the role. Its session name is the
		// caller's choice (an instance id, a timestamp, anything), so a
		// new one is not a new actor, nor do two split one mass change.
		return strings.ToLower(role)
	}
	return strings.ToLower(strings.TrimSpace(cmpOr(a.ID, a.Name)))
}

// identityCenterPerson reports whether an AWS actor is a person acting
// through IAM Identity Center, named (by the normalizer) by the session
// name Identity Center set.
func identityCenterPerson(a model.Actor) bool {
	return a.Name != "" && model.IdentityCenterSession(a.ID, a.SessionIssuer)
}

func cmpOr(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// DrivenBy names the person or unconfigured identity behind an automation
// identity, when the log says one drives it: the first caller of a GCP
// impersonation chain that is not configured automation (user:alice@…, a
// service account no entry names), or an AWS role session's source
// identity or the Identity Center user it acts for. A change so made is
// not automation and must not be lowered as such. Only ever a reason to
// keep a severity: a source identity is chosen by whoever assumed the
// role, so it never lowers anything. A web-identity or SAML subject (a CI
// OIDC token, which is how automation signs in) is not a driver.
func (c *Config) DrivenBy(a model.Actor) string {
	if c == nil || a.OriginalCaller == "" || a.Federation != "" {
		return ""
	}
	first := strings.TrimSpace(a.OriginalCaller)
	if first == "" || strings.EqualFold(first, a.ID) {
		return ""
	}
	// A service account at the head of the chain is automation when an
	// entry names it (a CI account impersonating the deploy account).
	sa := strings.TrimPrefix(strings.ToLower(first), "serviceaccount:")
	for i := range c.Automation {
		e := &c.Automation[i]
		if AnyMatch(e.ServiceAccounts, sa) || AnyMatch(e.Users, first) {
			return ""
		}
	}
	if rest, ok := strings.CutPrefix(first, "user:"); ok && rest != "" {
		return rest
	}
	return first
}
