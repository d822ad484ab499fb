package content

import (
	"net/netip"

	"cloudwall/internal/model"
)

// Scope is how far an opened rule reaches: the size and kind of its peer.
type Scope string

const (
	// World is every address: a /0 (any host bits), ::/0, "*", "Any",
	// the Internet service tag, or a range or union of prefixes at least
	// as wide as Widths.World.
	World Scope = "world"
	// PublicWide is a large public prefix (up to Widths.Wide bits).
	PublicWide Scope = "public-wide"
	// PublicNarrow is a smaller public prefix.
	PublicNarrow Scope = "public-narrow"
	// Single is one public address (/32, /128, a bare IP).
	Single Scope = "single"
	// Trusted is inside a network the configuration trusts (corporate
	// ranges, VPN egress, CI runners, partners): not the internet.
	Trusted Scope = "trusted"
	// Private is inside a private range (RFC 1918, CGNAT, link-local,
	// ULA) or a service tag for the virtual network.
	Private Scope = "private"
	// Reference is a named peer of unknown width: a security group, an
	// application security group, a network tag, a service account, a
	// prefix list.
	Reference Scope = "reference"
	// AzureServices is the Azure SQL 0.0.0.0-0.0.0.0 rule: every Azure
	// tenant's traffic, not the whole internet.
	AzureServices Scope = "azure-services"
	// Unreadable is a peer cloudwall could not parse (and whose prefix
	// length is not 0).
	Unreadable Scope = "unreadable"
)

// ScopeDefault is the table row used for scopes a table does not list.
const ScopeDefault Scope = "default"

// AllScopes returns every scope, widest first.
func AllScopes() []Scope {
	return []Scope{World, PublicWide, PublicNarrow, Single, Trusted, Private, Reference, AzureServices, Unreadable}
}

// knownScope reports whether s is one of AllScopes.
func knownScope(s Scope) bool {
	for _, v := range AllScopes() {
		if s == v {
			return true
		}
	}
	return false
}

// Weights turn what the detector found into a severity. All of them can
// be overridden from a user's YAML file.
type Weights struct {
	// Ingress and Egress weigh an opened allow rule by scope and port class.
	Ingress Table
	Egress  Table
	// Closing is an added deny, a removed allow, a revoke.
	Closing model.Severity
	// RemovedUnknown is a removed rule whose action is not logged, on a
	// resource that has deny rules: a deny may have been removed.
	RemovedUnknown model.Severity
	// RemovedDenyStep is how many steps a removed deny rule is below the
	// same rule added as an allow: traffic it blocked now flows only if an
	// allow rule also admits it.
	RemovedDenyStep int
	Attempt         AttemptWeights
	Automation      AutomationWeights
	// Settings weigh Event.Settings values; Operation.Settings come first.
	Settings []SettingRule
}

// Table maps scope -> port class -> severity. Lookup falls back from a
// class to "sensitive" (for declared port classes) to "default", and from
// a scope missing in the table to the "default" row.
type Table map[Scope]map[string]model.Severity

// Lookup returns the severity of opening class ports to scope; sensitive
// says class is a declared port class. The second result names the cell
// used as its YAML path below the direction ("world.admin"), so a reason
// tells a user which key to override.
func (t Table) Lookup(scope Scope, class string, sensitive bool) (model.Severity, string) {
	chain := []string{class}
	if sensitive {
		chain = append(chain, ClassSensitive)
	}
	chain = append(chain, ClassDefault)
	for _, s := range []Scope{scope, ScopeDefault} {
		row, ok := t[s]
		if !ok {
			continue
		}
		for _, c := range chain {
			if v, ok := row[c]; ok {
				return v, string(s) + "." + c
			}
		}
	}
	return model.Info, "none"
}

// AttemptWeights weigh calls that did not take effect.
type AttemptWeights struct {
	// ContentUnknown is a refused call whose request was not logged.
	ContentUnknown model.Severity
	// WouldBeHigh is a refused call that would have been high or critical.
	WouldBeHigh model.Severity
	// Otherwise caps other refused calls.
	Otherwise model.Severity
	// Rejected caps calls that failed for another reason than a refusal
	// (invalid, not found, duplicate): they say nothing about permission.
	Rejected model.Severity
	// DryRun is an EC2 DryRun probe (the caller holds the permission).
	DryRun model.Severity
	// Denied are lower-case substrings of error codes that mean the call
	// was refused (permission, credentials, policy); such findings are
	// also tagged "denied". A failure whose code is not logged is weighed
	// as a refusal.
	Denied []string
}

// AutomationWeights adjust findings whose caller matched a Signature.
type AutomationWeights struct {
	// Step is how many severity steps a match lowers a finding.
	Step int
	// WorldFloor is the least a world-open exposure can be lowered to.
	WorldFloor model.Severity
}

// Widths are prefix lengths for one address family: a prefix of up to
// World bits is world-scale, up to Wide bits public-wide.
type Widths struct {
	World int
	Wide  int
}

// Scopes says how peers are sized.
type Scopes struct {
	IPv4 Widths
	IPv6 Widths
	// Private are ranges that are not reachable from the internet.
	Private []netip.Prefix
	// ServiceTags maps a lower-case Azure service tag to its scope.
	ServiceTags map[string]Scope
	// DefaultServiceTag is the scope of tags not in ServiceTags.
	DefaultServiceTag Scope
}
