package aws

import (
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// ssoRolePrefix starts the roles IAM Identity Center creates in each
// account for a permission set: AWSReservedSSO_<PermissionSet>_<hash>.
const ssoRolePrefix = "AWSReservedSSO_"

// actor reads userIdentity. An IAM Identity Center (SSO) user acts through
// an AWSReservedSSO_ role whose session name is the person's user name or
// e-mail: the actor is named by that person, with the permission set as
// the role. Other assumed roles keep the role as the name and carry the
// session name in Session when no access key is logged.
func actor(rec any) model.Actor {
	// Each object is found once and each member read once: a context
	// record is mostly its actor, and the paths below share their steps.
	ui := jv.Node(rec, "userIdentity")
	sc := jv.Node(ui, "sessionContext")
	sessionIssuer, attrs := jv.Node(sc, "sessionIssuer"), jv.Node(sc, "attributes")
	arn, principal := jv.Str(ui, "arn"), jv.Str(ui, "principalId")
	a := model.Actor{
		Type: jv.Str(ui, "type"),
		ID:   first(arn, principal),
	}
	invokedBy := jv.Str(ui, "invokedBy")
	if a.ID == "" && strings.EqualFold(a.Type, "AWSService") {
		a.ID = invokedBy
	}
	session := roleSession(arn, principal)
	issuer := jv.Str(sessionIssuer, "userName")
	// A role session is named by its role; its session name is the
	// caller's to choose, and only names the actor when nothing else does.
	roleName, _ := assumedRole(arn)
	a.Name = first(jv.Str(ui, "userName"), issuer, roleName, session)
	a.AccessKey = jv.Str(ui, "accessKeyId")
	a.Session = first(a.AccessKey, session)
	a.SessionIssuer = jv.Str(sessionIssuer, "arn")
	if t, ok := jv.TimeUTC(jv.View(attrs, "creationDate")); ok {
		a.SessionCreated = t // as readTime reads it, without building it
	} else if t, ok := readTime(jv.Get(attrs, "creationDate")); ok {
		a.SessionCreated = t.UTC()
	}
	role := issuer
	if role == "" {
		role, _ = assumedRole(a.ID)
	}
	if set, ok := permissionSet(role); ok && model.IdentityCenterSession(a.ID, a.SessionIssuer) {
		a.Role = set
		if session != "" {
			a.Name = session
		}
	} else if strings.EqualFold(a.Type, "AssumedRole") {
		a.Role = role
	}
	a.MFA, _ = jv.Bool(attrs, "mfaAuthenticated")
	// CloudTrail writes invokedBy and sourceIPAddress; the user agent is
	// the caller's to choose, so a service name there proves nothing.
	a.ViaService = first(invokedBy, serviceHost(jv.Str(rec, "sourceIPAddress")))
	a.OriginalCaller, a.Federation = originalCaller(ui, sc, a.Type)
	if a.ID == "" && a.OriginalCaller != "" {
		// An IdentityCenterUser names no principal but the user it is.
		a.ID, a.Name = a.OriginalCaller, first(a.Name, a.OriginalCaller)
	}
	if a.ID == "" && a.Name == "" && a.AccessKey != "" {
		// Only the access key is logged (a trimmed or hand-written
		// record): the key, which AWS assigns, is all that names the user.
		a.Name = "unknown user (access key " + a.AccessKey + ")"
	}
	return a
}

// originalCaller reads who is behind the session, when the record says so
// apart from the principal, and how a federated session was authenticated:
//   - sessionContext.sourceIdentity: set by the caller when it assumed the
//     role (sts:SourceIdentity), kept through role chaining, and unlike the
//     session name not changeable afterwards;
//   - onBehalfOf: the IAM Identity Center user (userId, or the subject of
//     trusted identity propagation) a session acts for;
//   - a SAMLUser or WebIdentityUser: userName, the SAML subject or the web
//     identity's user id, at identityProvider;
//   - webIdFederationData: the provider and the subject ("...:sub") of a
//     role session assumed with a web identity (EKS IRSA, GitHub OIDC).
//
// sc is ui's sessionContext as jv.Node reads it, typ ui's type.
func originalCaller(ui, sc any, typ string) (caller, federation string) {
	caller = strings.TrimSpace(jv.Str(sc, "sourceIdentity"))
	if obo := jv.Node(ui, "onBehalfOf"); obo != nil && caller == "" {
		caller = strings.TrimSpace(first(jv.Str(obo, "userId"), jv.Str(obo, "subject")))
	}
	switch {
	case strings.EqualFold(typ, "SAMLUser"), strings.EqualFold(typ, "WebIdentityUser"):
		kind := "saml:"
		if strings.EqualFold(typ, "WebIdentityUser") {
			kind = "web-identity:"
		}
		federation = kind + jv.Str(ui, "identityProvider")
		caller = first(caller, strings.TrimSpace(jv.Str(ui, "userName")))
	}
	if wif := jv.Node(sc, "webIdFederationData"); wif != nil {
		if p := strings.TrimSpace(jv.Str(wif, "federatedProvider")); p != "" {
			federation = "web-identity:" + p
			attrs := jv.Obj(wif, "attributes")
			keys := make([]string, 0, len(attrs))
			for k := range attrs {
				keys = append(keys, k)
			}
			slices.Sort(keys) // one reading whatever the map's order
			for _, k := range keys {
				if strings.HasSuffix(strings.ToLower(k), ":sub") {
					caller = first(caller, strings.TrimSpace(jv.Str(attrs, k)))
					break
				}
			}
		}
	}
	return caller, federation
}

// permissionSet returns the permission set of an IAM Identity Center role
// name (AWSReservedSSO_AdministratorAccess_0123abcd -> AdministratorAccess).
// The hash is the last underscore-separated part; permission set names may
// themselves hold underscores.
func permissionSet(role string) (string, bool) {
	rest, ok := strings.CutPrefix(role, ssoRolePrefix)
	if !ok {
		return "", false
	}
	if i := strings.LastIndexByte(rest, '_'); i > 0 {
		return rest[:i], true
	}
	return rest, rest != ""
}

// assumedRole splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func assumedRole(arn string) (role, session string) {
	_, rest, ok := strings.Cut(arn, ":assumed-role/")
	if !ok {
		return "", ""
	}
	role, session, _ = strings.Cut(rest, "/")
	return role, session
}

// roleSession returns the session name of an assumed role or federated
// user: the last ARN segment, else what follows the colon in principalId.
func roleSession(arn, principal string) string {
	if _, session := assumedRole(arn); session != "" {
		return session
	} else if _, user, ok := strings.Cut(arn, ":federated-user/"); ok {
		return user
	}
	if _, s, ok := strings.Cut(principal, ":"); ok {
		return s
	}
	return ""
}

// serviceHost returns s when it names an AWS service endpoint acting for
// the caller (cloudformation.amazonaws.com), and "" for addresses, SDK user
// agents and the console, which is the principal's own tool.
func serviceHost(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ".amazonaws.com") || strings.ContainsAny(s, " /") {
		return ""
	}
	if strings.HasPrefix(s, "console.") || strings.HasPrefix(s, "signin.") {
		return ""
	}
	return s
}

// resourceFromError names the resource of a failed call whose request
// does not: AWS's authorization errors say "... on resource: ARN because
// ...". A wildcard ARN names no resource and is left alone.
func (p *parser) resourceFromError() {
	r := &p.ev.Resource
	if r.ID != "" || r.Name != "" {
		return
	}
	_, rest, ok := strings.Cut(p.ev.ErrorMessage, " on resource: ")
	if !ok {
		return
	}
	arn, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	arn = strings.TrimRight(arn, ".,;")
	if !strings.HasPrefix(arn, "arn:") || strings.Contains(arn, "*") || len(arn) > 2048 {
		return
	}
	r.ID, r.Name = arn, arnName(arn)
	p.notef("the request names no resource: %s is taken from the error message", arn)
}

// arnName is the name part of an ARN's resource: the last path segment
// (security-group/sg-1 -> sg-1, firewall/fw-1 -> fw-1), or for WAFv2,
// whose ARNs end in NAME/ID, the name.
func arnName(arn string) string {
	f := strings.SplitN(arn, ":", 6)
	if len(f) < 6 {
		return ""
	}
	segs := strings.Split(f[5], "/")
	if f[2] == "wafv2" && len(segs) == 4 {
		return segs[2] // regional/webacl/NAME/ID
	}
	return segs[len(segs)-1]
}
