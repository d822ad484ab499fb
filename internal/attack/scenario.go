// Package attack holds cloudwall's named attack scenarios: short stories
// of firewall tampering (world-open SSH, a mass backdoor, a stolen
// Terraform role, ...) with the benign activity around them, written as
// each cloud's native audit logs (and flow logs where the story has
// traffic), plus the CLI commands that would detonate the same story in a
// sandbox account. cloudwall only prints those commands; it never runs
// them.
package attack

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Action is one logical firewall call, rendered per cloud.
type Action string

const (
	OpenIngress  Action = "open-ingress"   // allow inbound from Peer on Port
	CloseIngress Action = "close-ingress"  // remove that rule again
	OpenEgress   Action = "open-egress"    // allow all outbound to Peer
	AllowAll     Action = "allow-all"      // a first-match allow of everything from Peer (AWS NACL entry)
	Delete       Action = "delete"         // delete or disable a firewall
	Describe     Action = "describe"       // read the firewall (recon, benign alone)
	Benign       Action = "benign-private" // an ordinary change: a private range on a database port
	// RestrictEgress narrows a new AWS security group's egress: its
	// default allow-all egress rule removed. Azure and GCP firewalls have
	// no such rule of their own to remove: nothing is written there.
	RestrictEgress Action = "restrict-egress"
)

// Step is one call of a scenario.
type Step struct {
	// At is the call's offset from the scenario's start.
	At     time.Duration
	Action Action
	// Actor is "attacker", "engineer" or "terraform"; "engineer-stolen"
	// and "terraform-stolen" are those identities used from elsewhere.
	Actor string
	Port  int    // 0: all ports
	Peer  string // CIDR; "" means 0.0.0.0/0
	// Target names the firewall (a suffix of a generated id or name), so
	// a story can touch several.
	Target string
	// Denied makes the call fail with the cloud's access-denied error.
	Denied bool
	// Expect is the finding the call must give: its severity; Info when
	// it may be reported at any severity; -1 when it must give nothing
	// above low (benign activity). ExpectIn overrides it per cloud.
	Expect   model.Severity
	ExpectIn map[model.Cloud]model.Severity
}

// ExpectFor is the severity the step must be reported at in cloud c.
func (st Step) ExpectFor(c model.Cloud) model.Severity {
	if s, ok := st.ExpectIn[c]; ok {
		return s
	}
	return st.Expect
}

// noFinding marks a step that must not be reported above low.
const noFinding = model.Severity(-1)

// Scenario is a named story.
type Scenario struct {
	Name string
	What string
	// Clouds the story exists for.
	Clouds []model.Cloud
	Steps  []Step
	// Flows, when set, writes flow logs in which traffic from outside uses
	// the first opening a few minutes after it was made.
	Flows bool
	// Stratus is the Stratus Red Team technique that detonates the same
	// thing, where one exists, per cloud.
	Stratus map[model.Cloud]string
	// Correlations are the correlation rules the story must give in the
	// clouds listed (a correlation not listed is unexpected).
	Correlations map[string][]model.Cloud
}

var all = []model.Cloud{model.AWS, model.Azure, model.GCP}

// scenarios lists the stories. Benign steps (engineer reads, pipeline
// changes to private ranges) surround the attacks in each one.
var scenarios = []Scenario{
	{Name: "world-open-admin", What: "SSH and RDP opened to the whole internet by a stolen user credential", Clouds: all,
		Stratus: map[model.Cloud]string{model.AWS: "aws.exfiltration.ec2-security-group-open-port-22-ingress"},
		Steps: []Step{
			{At: 0, Action: Describe, Actor: "attacker", Expect: noFinding},
			{At: 2 * time.Minute, Action: OpenIngress, Actor: "attacker", Port: 22, Expect: model.Critical},
			{At: 3 * time.Minute, Action: OpenIngress, Actor: "attacker", Port: 3389, Target: "b", Expect: model.Critical},
			{At: 40 * time.Minute, Action: Benign, Actor: "terraform", Port: 5432, Peer: "10.20.0.0/16", Target: "db", Expect: noFinding},
		}, Correlations: map[string][]model.Cloud{"recon-then-change": {model.AWS}}},
	{Name: "all-ports", What: "every port and protocol opened to the internet", Clouds: all, Steps: []Step{
		{At: 0, Action: OpenIngress, Actor: "attacker", Port: 0, Expect: model.Critical},
		{At: 30 * time.Minute, Action: Describe, Actor: "engineer", Expect: noFinding},
	}},
	{Name: "egress-exfiltration", What: "all outbound traffic to the internet allowed, to move data out", Clouds: all, Steps: []Step{
		// On AWS the group's egress was narrowed first: a new group
		// allows all egress, and adding that rule back is no news unless
		// it had been removed.
		{At: 0, Action: RestrictEgress, Actor: "terraform", Expect: noFinding},
		{At: 10 * time.Minute, Action: OpenEgress, Actor: "attacker", Expect: model.Medium},
		{At: 30 * time.Minute, Action: Benign, Actor: "terraform", Port: 5432, Peer: "10.20.0.0/16", Target: "db", Expect: noFinding},
	}},
	{Name: "nacl-allow-all", What: "a network ACL entry numbered 1 that allows everything from anywhere, ahead of every deny", Clouds: []model.Cloud{model.AWS}, Steps: []Step{
		{At: 0, Action: AllowAll, Actor: "attacker", Expect: model.Critical},
	}},
	{Name: "firewall-deleted", What: "a firewall deleted or disabled (AWS Network Firewall, Azure Firewall, a GCP deny rule disabled)", Clouds: all, Steps: []Step{
		{At: 0, Action: Describe, Actor: "attacker", Expect: noFinding},
		// Deleting a whole firewall is high; disabling one GCP deny rule
		// is medium (what it blocked may now be reachable).
		{At: 4 * time.Minute, Action: Delete, Actor: "attacker", Expect: model.High, ExpectIn: map[model.Cloud]model.Severity{model.GCP: model.Medium}},
	}, Correlations: map[string][]model.Cloud{"recon-then-change": {model.AWS}}},
	{Name: "mass-backdoor", What: "SSH opened to the internet on eight firewalls within a minute (Pacu ec2__backdoor_ec2_sec_groups)", Clouds: all, Steps: massBackdoor(),
		Correlations: map[string][]model.Cloud{"mass-change": all}},
	{Name: "short-lived", What: "SSH opened to the internet and closed again six minutes later (cleanup after use)", Clouds: all, Steps: []Step{
		{At: 0, Action: OpenIngress, Actor: "attacker", Port: 22, Expect: model.Critical},
		// Closing is reported at any severity: without the state of the
		// firewall, a rule delete whose content is not logged may have
		// removed a deny.
		{At: 6 * time.Minute, Action: CloseIngress, Actor: "attacker", Port: 22, Expect: model.Info},
	}, Correlations: map[string][]model.Cloud{"short-lived-exposure": all}},
	{Name: "stolen-terraform-role", What: "the Terraform pipeline's identity, used from an unknown address, opens SSH to the internet beside its usual changes", Clouds: all, Steps: []Step{
		{At: 0, Action: Benign, Actor: "terraform", Port: 5432, Peer: "10.20.0.0/16", Target: "db", Expect: noFinding},
		{At: 50 * time.Minute, Action: OpenIngress, Actor: "terraform-stolen", Port: 22, Expect: model.Critical},
	}},
	// The attacker tries a stolen engineer credential without the
	// permission, then another credential from the same address: the
	// failed-then-succeeded correlation's "another identity from the same
	// address".
	{Name: "failed-then-succeeded", What: "three denied attempts to open SSH with one stolen credential, then success with another from the same address", Clouds: all, Steps: []Step{
		{At: 0, Action: OpenIngress, Actor: "engineer-stolen", Port: 22, Denied: true, Expect: model.Low},
		{At: 1 * time.Minute, Action: OpenIngress, Actor: "engineer-stolen", Port: 22, Denied: true, Expect: model.Low},
		{At: 2 * time.Minute, Action: OpenIngress, Actor: "engineer-stolen", Port: 22, Denied: true, Expect: model.Low},
		{At: 9 * time.Minute, Action: OpenIngress, Actor: "attacker", Port: 22, Expect: model.Critical},
	}, Correlations: map[string][]model.Cloud{"failed-then-succeeded": all}},
	{Name: "opening-used", What: "SSH opened to the internet and used from outside three minutes later (flow logs included)", Clouds: all, Flows: true, Steps: []Step{
		{At: 0, Action: OpenIngress, Actor: "attacker", Port: 22, Expect: model.Critical},
	}},
}

func massBackdoor() []Step {
	var s []Step
	for i := range 8 {
		s = append(s, Step{At: time.Duration(i) * 7 * time.Second, Action: OpenIngress, Actor: "attacker", Port: 22, Target: fmt.Sprintf("m%d", i), Expect: model.Critical})
	}
	return s
}

// Scenarios returns every scenario, by name.
func Scenarios() []Scenario { return slices.Clone(scenarios) }

// Find returns the scenario named name (case-insensitive).
func Find(name string) (Scenario, error) {
	for _, s := range scenarios {
		if strings.EqualFold(s.Name, name) {
			return s, nil
		}
	}
	var names []string
	for _, s := range scenarios {
		names = append(names, s.Name)
	}
	return Scenario{}, fmt.Errorf("no scenario %q (have %s)", name, strings.Join(names, ", "))
}

// Supports reports whether the scenario exists for cloud c.
func (s Scenario) Supports(c model.Cloud) bool { return slices.Contains(s.Clouds, c) }

// ExpectedFindings counts the findings a scan of the story in cloud c
// must give: the steps that must be reported at low or above, and the
// correlations claimed for c. Benign calls and closings may add findings
// at low or below.
func (s Scenario) ExpectedFindings(c model.Cloud) int {
	n := 0
	for _, st := range s.Steps {
		if st.ExpectFor(c) >= model.Low {
			n++
		}
	}
	for _, clouds := range s.Correlations {
		if slices.Contains(clouds, c) {
			n++
		}
	}
	return n
}
