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
