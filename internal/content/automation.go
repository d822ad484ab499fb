package content

// Tags a Signature may add to a finding.
const (
	// TagIaC marks a change made by an infrastructure-as-code tool.
	TagIaC = "iac"
	// TagServiceLinked marks a change made by a cloud service for the
	// principal (autoscaling, load balancers, GKE).
	TagServiceLinked = "service-linked"
)

// Signature recognises a caller that is automation rather than a person.
// Every non-empty field must match (AND); within a field any value may
// match (OR). All comparisons are case-insensitive; values are stored
// lower case.
type Signature struct {
	ID   string
	Name string
	// Tag is TagIaC or TagServiceLinked.
	Tag string
	// UserAgent are substrings of Event.UserAgent.
	UserAgent []string
	// Actor are substrings of Actor.ID or Actor.Name.
	Actor []string
	// ActorType are exact values of Actor.Type.
	ActorType []string
	// ViaService are substrings of Actor.ViaService.
	ViaService []string
	// ResourcePrefix are prefixes of the resource name or of a changed
	// rule's name ("gke-", "k8s-").
	ResourcePrefix []string
	Origin         string
}

// TagClaimedAutomation marks a finding whose user agent (or another field
// the caller chooses) names an automation tool while the identity that
// made the call is not known automation. It never lowers a severity.
const TagClaimedAutomation = "claimed-automation"

// TagAutomationDriven marks a change by a configured automation identity
// that a person (or an identity not configured as automation) drove: a
// GCP impersonation chain that starts at a user, an AWS role session with
// a source identity. It is not lowered as automation.
const TagAutomationDriven = "automation-impersonated"

// Claim reports whether the signature matches only on fields the caller
// chooses (the user agent, resource and rule names). Such a match is a
// claim, not a fact: it is reported, but only a signature that names the
// identity (actor, actor_type, via_service) lowers a severity.
func (s Signature) Claim() bool {
	return len(s.Actor) == 0 && len(s.ActorType) == 0 && len(s.ViaService) == 0
}
