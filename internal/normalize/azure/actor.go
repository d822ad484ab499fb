package azure

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Claim names as the Activity Log writes them: ARM tokens are v1 tokens,
// so most claims use their SAML-style URIs; the short v2 names are read
// as fallbacks.
const (
	claimUPN      = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
	claimName     = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	claimObjectID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
	claimAMR      = "http://schemas.microsoft.com/claims/authnmethodsreferences"
)

// actor reads who made the call. The resource-log form keeps the token
// claims under identity.claims and the RBAC evidence under
// identity.authorization.evidence; the REST form has claims at the top and
// the caller as a string. Sign-in records that share the stream log
// identity as a plain display name.
func actor(rec any) model.Actor {
	node := jv.Node(rec, "identity", "claims")
	if node == nil {
		node = jv.Node(rec, "claims")
	}
	claims := readClaims(node)
	evidence := jv.Node(rec, "identity", "authorization", "evidence")
	if evidence == nil {
		evidence = jv.Node(rec, "authorization", "evidence")
	}
	caller := strings.TrimSpace(jv.Str(rec, "caller"))
	if s, ok := jv.Get(rec, "identity").(string); ok && caller == "" {
		caller = strings.TrimSpace(s)
	}

	upn := claim(claims, claimUPN, "upn")
	name := claim(claims, claimName, "unique_name")
	display := claim(claims, "name")
	appID := claim(claims, "appid", "azp")

	a := model.Actor{
		Type:    principalType(claims, evidence, upn, name, display, appID, caller),
		ID:      firstNonEmpty(claim(claims, claimObjectID, "oid"), strings.TrimSpace(jv.Str(evidence, "principalId")), caller),
		Session: claim(claims, "uti"),
		MFA:     hasMFA(node),
	}
	if strings.Contains(caller, "@") {
		a.Name = firstNonEmpty(upn, caller, name, display)
	} else {
		a.Name = firstNonEmpty(upn, name, display, caller, appID)
	}
	a.AppID = appID
	if a.Type == "ServicePrincipal" {
		// The app the service principal belongs to is what acted.
		a.ViaService = appID
		// A managed identity's token names its resource
		// (.../userAssignedIdentities/NAME or the VM of a system one).
		if mi := claim(claims, "xms_mirid"); mi != "" && upn == "" && name == "" {
			a.Name = mi[strings.LastIndexByte(mi, '/')+1:]
		}
	}
	return a
}

// claimNames are the claims actor reads as text (hasMFA reads the
// authentication methods, which may be a list).
var claimNames = [...]string{claimUPN, "upn", claimName, "unique_name", "name", "appid", "azp",
	claimObjectID, "oid", "uti", "idtyp", "xms_mirid"}

// claimSet holds the text (jv.Str) of claimNames in a token's claims: a
// token has thirty or more, and they are read in one pass, without
// building their values.
type claimSet [len(claimNames)]string

func readClaims(claims any) *claimSet {
	var c claimSet
	if claims != nil {
		jv.Texts(claims, claimNames[:], c[:])
	}
	return &c
}

// text is the text of a claim of claimNames, "" when absent.
func (c *claimSet) text(name string) string {
	for i, n := range claimNames {
		if n == name {
			return c[i]
		}
	}
	panic("azure: claim " + name + " is not read: add it to claimNames")
}

// claim returns the first non-empty claim among names.
func claim(claims *claimSet, names ...string) string {
	for _, n := range names {
		if s := strings.TrimSpace(claims.text(n)); s != "" {
			return s
		}
	}
	return ""
}

// principalType says User or ServicePrincipal. RBAC evidence and the idtyp
// claim state it; otherwise a user token carries a user name and an app
// token carries only the app and object ids.
func principalType(claims *claimSet, evidence any, upn, name, display, appID, caller string) string {
	if t := strings.TrimSpace(jv.Str(evidence, "principalType")); t != "" {
		return t
	}
	switch strings.ToLower(claim(claims, "idtyp")) {
	case "user":
		return "User"
	case "app":
		return "ServicePrincipal"
	}
	switch {
	case upn != "" || name != "" || display != "":
		return "User"
	case appID != "":
		return "ServicePrincipal"
	case strings.Contains(caller, "@"):
		return "User"
	}
	return ""
}

// hasMFA reports whether the token's authentication methods include mfa.
// The claim is a comma-separated string in v1 tokens and a list in v2;
// claims is the token's claims as jv.Node reads them.
func hasMFA(claims any) bool {
	for _, key := range []string{claimAMR, "amr"} {
		for _, s := range jv.Strs(claims, key) {
			for _, m := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
				if strings.EqualFold(strings.Trim(m, `"[]`), "mfa") {
					return true
				}
			}
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
