package model

import (
	"fmt"
	"strings"
	"time"
)

// Severity ranks a finding by what it exposes.
type Severity int

const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", s, strings.Join(severityNames[:], ", "))
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ATT&CK identifiers every finding carries: the technique as named up to
// ATT&CK v18 and its v19 successor.
var AttackIDs = []string{"T1562.007", "T1686.001"}

// Finding is one firewall-weakening (or firewall-relevant) operation, as
// cloudwall reports it. Its JSON form is the stable output contract
// documented in the README.
type Finding struct {
	ID        string    `json:"id"`
	Rule      string    `json:"rule"`
	Title     string    `json:"title"`
	Severity  Severity  `json:"severity"`
	Cloud     Cloud     `json:"cloud"`
	Time      time.Time `json:"time"` // event time, UTC
	Account   string    `json:"account"`
	Region    string    `json:"region"`
	Resource  Resource  `json:"resource"`
	Operation string    `json:"operation"`
	Outcome   Outcome   `json:"outcome"`
	// ErrorCode is the cloud's error for a failed attempt.
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorMessage is the cloud's error message for it, as logged.
	ErrorMessage string `json:"error_message,omitempty"`
	Actor        Actor  `json:"actor"`
	// Identity is who acted, resolved across sessions and clouds: the
	// person or workload behind a role session, an access key, an Azure
	// token or a GCP impersonation chain (an e-mail where one is logged,
	// else the principal), mapped by the configuration's identities. The
	// correlations group findings by it.
	Identity  string            `json:"identity,omitempty"`
	SourceIP  string            `json:"source_ip"`
	UserAgent string            `json:"user_agent"`
	Changes   []RuleChange      `json:"changes"`
	Settings  map[string]string `json:"settings,omitempty"`
	Targets   []string          `json:"targets,omitempty"`
	// Exposure summarises who can now reach what, in words
	// ("internet -> 22/tcp (ssh)"); empty when nothing was opened.
	Exposure []string `json:"exposure,omitempty"`
	// Tags mark context such as "iac", "service-linked", "attempt".
	Tags    []string `json:"tags,omitempty"`
	Reasons []string `json:"reasons"`
	Attack  []string `json:"attack"`
	// Guidance is what an analyst should check and do next.
	Guidance *Guidance `json:"guidance,omitempty"`
	Event    EventRef  `json:"event"`

	// The fields below are filled from replayed state (scan with a
	// baseline, or windows seen in the logs alone).

	// Before and After are the firewall's rules just before and after the
	// call, trimmed to what the call touched.
	Before *RuleSet `json:"before,omitempty"`
	After  *RuleSet `json:"after,omitempty"`
	// Window is the exposure window this call opened or closed.
	Window *Window `json:"window,omitempty"`
	// Rollback lists the commands that undo the call (printed, never run);
	// a line starting with "#" explains what cannot be built.
	Rollback []string `json:"rollback,omitempty"`
	// Traffic says whether flow logs show the opening used (scan --flows).
	Traffic *Traffic `json:"traffic,omitempty"`
	// Approval is the change record this finding was judged against, when
	// one covers its account and resource: inside it (status "approved")
	// the finding drops to low; outside it the finding says what differs.
	Approval *ApprovalRef `json:"approval,omitempty"`
	// Suppression is the suppression that hides this finding; shown only
	// with --show-suppressed.
	Suppression *SuppressionRef `json:"suppression,omitempty"`
	// Related lists findings linked to this one by a correlation.
	Related []Related `json:"related,omitempty"`
	// FirstSeen lists what this finding is the first of, for its
	// account, in the store's history: a new principal, source network,
	// user agent family or access key changing firewalls.
	FirstSeen []FirstSeen `json:"first_seen,omitempty"`
	// Timeline is the actor's other operations in the same session around
	// the change (session context), oldest first.
	Timeline []TimelineEntry `json:"timeline,omitempty"`
}

// Guidance is a finding's investigation and response advice. Each step is
// one line of text; a step that gives a shell command ends with it, after
// a colon, and Commands lists those commands again on their own, so they
// can be copied, rendered as code or run without parsing the text.
type Guidance struct {
	Investigate []string `json:"investigate,omitempty"`
	Respond     []string `json:"respond,omitempty"`
	// Commands are the commands of the steps above, in step order.
	Commands []Command `json:"commands,omitempty"`
}

// Command is the shell command that ends one guidance step. It is POSIX
// shell syntax and runs as printed (values the finding does not know are
// written <LIKE_THIS>, in single quotes outside quoted text, '<LIKE_THIS>',
// so that the shell reads them literally, and the step's text says where
// to find them); cloudwall never runs it.
type Command struct {
	// Step is "investigate" or "respond", and Index the step's position
	// in that list.
	Step  string `json:"step"`
	Index int    `json:"index"`
	// Run is the command line, exactly as it ends the step's text.
	Run string `json:"run"`
}

// Guidance step lists a Command can belong to.
const (
	StepInvestigate = "investigate"
	StepRespond     = "respond"
)

// Split returns the text of step i of list (StepInvestigate or
// StepRespond) without its command, and the command, "" when the step has
// none.
func (g *Guidance) Split(list string, i int) (text, run string) {
	steps := g.Investigate
	if list == StepRespond {
		steps = g.Respond
	}
	if i < 0 || i >= len(steps) {
		return "", ""
	}
	for _, c := range g.Commands {
		if c.Step == list && c.Index == i {
			if t, ok := strings.CutSuffix(steps[i], " "+c.Run); ok {
				return t, c.Run
			}
		}
	}
	return steps[i], ""
}

// EventRef points from a finding back to the record it came from.
type EventRef struct {
	File    string `json:"file"`
	Index   int64  `json:"index"`
	EventID string `json:"event_id"`
}
