package output

import (
	"bufio"
	"net/netip"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// OCSF 1.3.0 Detection Finding identifiers (class 2004 in the Findings
// category; activity Create; type_uid = class_uid*100 + activity_id).
const (
	ocsfVersion      = "1.3.0"
	ocsfCategoryUID  = 2
	ocsfCategoryName = "Findings"
	ocsfClassUID     = 2004
	ocsfClassName    = "Detection Finding"
	ocsfActivityID   = 1
	ocsfActivityName = "Create"
	ocsfTypeUID      = ocsfClassUID*100 + ocsfActivityID
	ocsfTypeName     = ocsfClassName + ": " + ocsfActivityName
	ocsfStatusNew    = 1
	ocsfAnalyticRule = 1
	ocsfUserOther    = 99
	ocsfFindingType  = "Cloud Firewall Tampering"
)

// The structures below hold the subset of OCSF 1.3.0 that cloudwall
// fills. Attribute names and placement were checked against the 1.3.0
// schema: in that version Detection Finding has no top-level src_endpoint
// or http_request and its top-level actor belongs to the host profile, so
// the actor, source address and API call are reported as evidence (the
// class's own "evidences" attribute), and the user agent, which no 1.3.0
// evidence object holds, goes to unmapped.

type ocsfFinding struct {
	ActivityID   int              `json:"activity_id"`
	ActivityName string           `json:"activity_name"`
	CategoryUID  int              `json:"category_uid"`
	CategoryName string           `json:"category_name"`
	ClassUID     int              `json:"class_uid"`
	ClassName    string           `json:"class_name"`
	TypeUID      int              `json:"type_uid"`
	TypeName     string           `json:"type_name"`
	Time         int64            `json:"time"`
	SeverityID   int              `json:"severity_id"`
	Severity     string           `json:"severity"`
	StatusID     int              `json:"status_id"`
	Status       string           `json:"status"`
	Message      string           `json:"message,omitempty"`
	StatusCode   string           `json:"status_code,omitempty"`
	StatusDetail string           `json:"status_detail,omitempty"`
	Metadata     ocsfMetadata     `json:"metadata"`
	FindingInfo  ocsfFindingInfo  `json:"finding_info"`
	Cloud        ocsfCloud        `json:"cloud"`
	API          *ocsfAPI         `json:"api,omitempty"`
	Resources    []ocsfResource   `json:"resources,omitempty"`
	Observables  []ocsfObservable `json:"observables,omitempty"`
	Evidences    []ocsfEvidence   `json:"evidences,omitempty"`
	Remediation  *ocsfRemediation `json:"remediation,omitempty"`
	RiskLevelID  *int             `json:"risk_level_id,omitempty"`
	RiskLevel    string           `json:"risk_level,omitempty"`
	Unmapped     ocsfUnmapped     `json:"unmapped"`
}

type ocsfMetadata struct {
	Version string `json:"version"`
	// UID is the finding's id; CorrelationUID the source record's id,
	// shared by the records of one operation.
	UID            string      `json:"uid,omitempty"`
	CorrelationUID string      `json:"correlation_uid,omitempty"`
	Product        ocsfProduct `json:"product"`
	LogName        string      `json:"log_name,omitempty"`
	Profiles       []string    `json:"profiles"`
	Labels         []string    `json:"labels,omitempty"`
}

type ocsfProduct struct {
	Name       string `json:"name"`
	VendorName string `json:"vendor_name"`
	Version    string `json:"version,omitempty"`
}

type ocsfFindingInfo struct {
	UID           string             `json:"uid"`
	Title         string             `json:"title"`
	Desc          string             `json:"desc,omitempty"`
	Types         []string           `json:"types"`
	Analytic      ocsfAnalytic       `json:"analytic"`
	Attacks       []ocsfAttack       `json:"attacks,omitempty"`
	DataSources   []string           `json:"data_sources,omitempty"`
	CreatedTime   int64              `json:"created_time"`
	FirstSeenTime int64              `json:"first_seen_time"`
	LastSeenTime  int64              `json:"last_seen_time"`
	RelatedEvents []ocsfRelatedEvent `json:"related_events,omitempty"`
}

type ocsfAnalytic struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
}

type ocsfAttack struct {
	Version      string        `json:"version,omitempty"`
	Technique    *ocsfNamedUID `json:"technique,omitempty"`
	SubTechnique *ocsfNamedUID `json:"sub_technique,omitempty"`
	Tactic       *ocsfNamedUID `json:"tactic,omitempty"`
}

type ocsfNamedUID struct {
	UID  string `json:"uid,omitempty"`
	Name string `json:"name,omitempty"`
}

type ocsfObservable struct {
	Name   string `json:"name"`
	TypeID int    `json:"type_id"`
	Type   string `json:"type"`
	Value  string `json:"value"`
}

type ocsfRelatedEvent struct {
	UID string `json:"uid"`
}

type ocsfCloud struct {
	Provider   string       `json:"provider"`
	Account    *ocsfAccount `json:"account,omitempty"`
	ProjectUID string       `json:"project_uid,omitempty"`
	Region     string       `json:"region,omitempty"`
}

type ocsfAccount struct {
	UID string `json:"uid"`
}

type ocsfResource struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	Type   string `json:"type,omitempty"`
	Region string `json:"region,omitempty"`
}

type ocsfEvidence struct {
	Actor       *ocsfActor    `json:"actor,omitempty"`
	API         *ocsfAPI      `json:"api,omitempty"`
	SrcEndpoint *ocsfEndpoint `json:"src_endpoint,omitempty"`
	Data        *ocsfChange   `json:"data,omitempty"`
}

type ocsfActor struct {
	User      *ocsfUser    `json:"user,omitempty"`
	Session   *ocsfSession `json:"session,omitempty"`
	InvokedBy string       `json:"invoked_by,omitempty"`
}

type ocsfUser struct {
	UID    string `json:"uid,omitempty"`
	Name   string `json:"name,omitempty"`
	Type   string `json:"type,omitempty"`
	TypeID int    `json:"type_id"`
}

type ocsfSession struct {
	UID           string `json:"uid,omitempty"`
	CredentialUID string `json:"credential_uid,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	CreatedTime   int64  `json:"created_time,omitempty"`
	IsMFA         bool   `json:"is_mfa"`
}

type ocsfAPI struct {
	Operation string        `json:"operation"`
	Request   *ocsfRequest  `json:"request,omitempty"`
	Response  *ocsfResponse `json:"response,omitempty"`
}

type ocsfRequest struct {
	UID string `json:"uid"`
}

type ocsfResponse struct {
	Error        string `json:"error,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

type ocsfEndpoint struct {
	IP   string `json:"ip,omitempty"`
	Name string `json:"name,omitempty"`
}

// ocsfChange is the evidence "data": what the call did to the firewall.
type ocsfChange struct {
	Changes  []model.RuleChange `json:"changes,omitempty"`
	Summary  []string           `json:"changes_text,omitempty"`
	Exposure []string           `json:"exposure,omitempty"`
	Settings map[string]string  `json:"settings,omitempty"`
	Targets  []string           `json:"targets,omitempty"`
}

type ocsfRemediation struct {
	Desc string `json:"desc"`
}

// ocsfUnmapped holds cloudwall fields with no OCSF 1.3.0 attribute.
type ocsfUnmapped struct {
	Outcome   string `json:"outcome,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// SourceIP holds a caller value that is not an address ("AWS
	// Internal", "private", "gce-internal-ip", a service name).
	SourceIP  string          `json:"source_ip,omitempty"`
	ActorRole string          `json:"actor_role,omitempty"`
	ActorType string          `json:"actor_type,omitempty"`
	Attack    []string        `json:"attack,omitempty"`
	Event     model.EventRef  `json:"event"`
	Guidance  *model.Guidance `json:"guidance,omitempty"`
}

// writeOCSF writes one OCSF 1.3.0 Detection Finding per line (JSON lines),
// the form Security Lake, Splunk and most SIEM pipelines ingest.
func writeOCSF(w *bufio.Writer, findings []model.Finding, _ model.Summary, opts Options) error {
	enc := newJSONEncoder(w)
	for _, f := range findings {
		if err := enc.Encode(toOCSF(f, opts)); err != nil {
			return err
		}
	}
	return nil
}

// toOCSF maps one finding onto a Detection Finding.
func toOCSF(f model.Finding, opts Options) ocsfFinding {
	ms := f.Time.UnixMilli()
	if f.Time.IsZero() {
		ms = 0
	}
	sevID, sevName := ocsfSeverity(f.Severity)
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	out := ocsfFinding{
		ActivityID:   ocsfActivityID,
		ActivityName: ocsfActivityName,
		CategoryUID:  ocsfCategoryUID,
		CategoryName: ocsfCategoryName,
		ClassUID:     ocsfClassUID,
		ClassName:    ocsfClassName,
		TypeUID:      ocsfTypeUID,
		TypeName:     ocsfTypeName,
		Time:         ms,
		SeverityID:   sevID,
		Severity:     sevName,
		StatusID:     ocsfStatusNew,
		Status:       "New",
		Message:      f.Title,
		StatusCode:   f.ErrorCode,
		StatusDetail: f.ErrorMessage,
		Metadata: ocsfMetadata{
			Version:        ocsfVersion,
			UID:            f.ID,
			CorrelationUID: f.Event.EventID,
			Product:        ocsfProduct{Name: "cloudwall", VendorName: "cloudwall", Version: opts.Version},
			LogName:        logName(f.Cloud),
			Profiles:       []string{"cloud"},
			Labels:         f.Tags,
		},
		FindingInfo: ocsfFindingInfo{
			UID:   f.ID,
			Title: f.Title,
			Desc:  strings.Join(f.Reasons, "; "),
			Types: []string{ocsfFindingType},
			Analytic: ocsfAnalytic{
				UID:    f.Rule,
				Name:   f.Rule,
				TypeID: ocsfAnalyticRule,
				Type:   "Rule",
			},
			Attacks: ocsfAttacks(f.Attack),
			// created_time is when cloudwall made the finding; the
			// event's own time is time, first_seen_time and last_seen_time.
			CreatedTime:   now.UnixMilli(),
			FirstSeenTime: ms,
			LastSeenTime:  ms,
		},
		Cloud: ocsfCloud{Provider: f.Cloud.Provider(), Region: f.Region},
		Unmapped: ocsfUnmapped{
			Outcome:   string(f.Outcome),
			ErrorCode: f.ErrorCode,
			UserAgent: f.UserAgent,
			ActorType: f.Actor.Type,
			ActorRole: f.Actor.Role,
			Attack:    f.Attack,
			Event:     f.Event,
			Guidance:  f.Guidance,
		},
	}
	if src := logName(f.Cloud); src != "" {
		out.FindingInfo.DataSources = []string{src}
	}
	if f.Event.EventID != "" {
		out.FindingInfo.RelatedEvents = []ocsfRelatedEvent{{UID: f.Event.EventID}}
	}
	switch {
	case f.Account == "":
	case f.Cloud == model.GCP:
		out.Cloud.ProjectUID = f.Account
	default:
		out.Cloud.Account = &ocsfAccount{UID: f.Account}
	}
	if f.Operation != "" {
		out.API = ocsfAPIOf(f)
	}
	// OCSF needs a resource to be named by uid or name; a type alone
	// names nothing.
	if f.Resource.ID != "" || f.Resource.Name != "" {
		out.Resources = []ocsfResource{{
			UID:    f.Resource.ID,
			Name:   f.Resource.Name,
			Type:   f.Resource.Type,
			Region: f.Region,
		}}
	}
	if ev := ocsfEvidenceOf(f); ev != (ocsfEvidence{}) {
		out.Evidences = []ocsfEvidence{ev}
		if ev.SrcEndpoint == nil && f.SourceIP != "" {
			out.Unmapped.SourceIP = f.SourceIP
		}
	}
	out.Observables = ocsfObservables(f, out)
	if f.Guidance != nil && len(f.Guidance.Respond) > 0 {
		out.Remediation = &ocsfRemediation{Desc: strings.Join(f.Guidance.Respond, "\n")}
	}
	if f.Severity >= model.Info && f.Severity <= model.Critical {
		// OCSF risk levels 0 Info .. 4 Critical line up with cloudwall's
		// severities.
		level := int(f.Severity)
		out.RiskLevelID = &level
		out.RiskLevel = ocsfRiskLevel(f.Severity)
	}
	return out
}

// ocsfEvidenceOf gathers who did what from where.
func ocsfEvidenceOf(f model.Finding) ocsfEvidence {
	var ev ocsfEvidence
	a := f.Actor
	if a.ID != "" || a.Name != "" || a.Type != "" || a.Session != "" || a.ViaService != "" {
		actor := &ocsfActor{InvokedBy: a.ViaService}
		if a.ID != "" || a.Name != "" || a.Type != "" {
			id, caption := ocsfUserType(a.Type)
			actor.User = &ocsfUser{UID: a.ID, Name: a.Name, Type: caption, TypeID: id}
		}
		if a.Session != "" || a.AccessKey != "" || a.SessionIssuer != "" || a.MFA {
			// The access key is the credential; the session uid is the
			// role session or token, never the key again.
			sess := &ocsfSession{CredentialUID: a.AccessKey, Issuer: a.SessionIssuer, IsMFA: a.MFA}
			if a.Session != a.AccessKey {
				sess.UID = a.Session
			}
			if !a.SessionCreated.IsZero() {
				sess.CreatedTime = a.SessionCreated.UnixMilli()
			}
			actor.Session = sess
		}
		ev.Actor = actor
	}
	if f.Operation != "" {
		ev.API = ocsfAPIOf(f)
	}
	// Clouds log values that are not addresses as the caller's address: a
	// service name ("ec2.amazonaws.com"), "AWS Internal", GCP's "private"
	// and "gce-internal-ip". They are not endpoints, neither an ip nor a
	// host name; they go to unmapped.source_ip.
	if addr, err := netip.ParseAddr(strings.TrimSpace(f.SourceIP)); err == nil {
		ev.SrcEndpoint = &ocsfEndpoint{IP: addr.String()}
	}
	if len(f.Changes) > 0 || len(f.Exposure) > 0 || len(f.Settings) > 0 || len(f.Targets) > 0 {
		ev.Data = &ocsfChange{
			Changes:  f.Changes,
			Summary:  describeChanges(f.Changes),
			Exposure: f.Exposure,
			Settings: f.Settings,
			Targets:  f.Targets,
		}
	}
	return ev
}

// ocsfAPIOf is the API call with its error, when it failed.
func ocsfAPIOf(f model.Finding) *ocsfAPI {
	api := &ocsfAPI{Operation: f.Operation}
	if f.ErrorCode != "" || f.ErrorMessage != "" {
		api.Response = &ocsfResponse{Error: f.ErrorCode, ErrorMessage: f.ErrorMessage}
	}
	return api
}

// OCSF observable type ids (dictionary types ip_t, username_t,
// resource_uid_t).
const (
	ocsfObservableIP       = 2
	ocsfObservableUserName = 4
	ocsfObservableResource = 10
)

// ocsfObservables lists the values an analyst pivots on: the caller's
// address, the user and the resource.
func ocsfObservables(f model.Finding, out ocsfFinding) []ocsfObservable {
	var obs []ocsfObservable
	if len(out.Evidences) > 0 {
		ev := out.Evidences[0]
		if ev.SrcEndpoint != nil && ev.SrcEndpoint.IP != "" {
			obs = append(obs, ocsfObservable{Name: "evidences.src_endpoint.ip", TypeID: ocsfObservableIP, Type: "IP Address", Value: ev.SrcEndpoint.IP})
		}
		if ev.Actor != nil && ev.Actor.User != nil && ev.Actor.User.Name != "" {
			obs = append(obs, ocsfObservable{Name: "evidences.actor.user.name", TypeID: ocsfObservableUserName, Type: "User Name", Value: ev.Actor.User.Name})
		}
	}
	if f.Resource.ID != "" {
		obs = append(obs, ocsfObservable{Name: "resources.uid", TypeID: ocsfObservableResource, Type: "Resource UID", Value: f.Resource.ID})
	}
	return obs
}

// ocsfSeverity maps a severity to OCSF severity_id and its caption.
func ocsfSeverity(s model.Severity) (int, string) {
	switch s {
	case model.Info:
		return 1, "Informational"
	case model.Low:
		return 2, "Low"
	case model.Medium:
		return 3, "Medium"
	case model.High:
		return 4, "High"
	case model.Critical:
		return 5, "Critical"
	}
	return 0, "Unknown"
}

// ocsfRiskLevel is the caption of risk_level_id for a severity.
func ocsfRiskLevel(s model.Severity) string {
	if s == model.Info {
		return "Info"
	}
	return severityCaption(s)
}

// logName names the audit log a cloud's findings come from.
func logName(c model.Cloud) string {
	switch c {
	case model.AWS:
		return "CloudTrail"
	case model.Azure:
		return "Azure Activity Log"
	case model.GCP:
		return "Cloud Audit Logs"
	}
	return ""
}

// ocsfUserType maps a cloud principal kind onto OCSF user type_id, keeping
// the native kind as the caption when OCSF has no equivalent (type_id 99,
// Other, whose caption is the source's own label).
func ocsfUserType(kind string) (int, string) {
	switch strings.ToLower(kind) {
	case "iamuser", "user":
		return 1, "User"
	case "root":
		return 2, "Admin"
	case "awsservice":
		return 3, "System"
	case "":
		return 0, "Unknown"
	}
	return ocsfUserOther, kind
}

// ocsfAttacks maps ATT&CK ids to OCSF attack objects. T1562.007 is the
// technique as named through ATT&CK v18, under Defense Evasion; T1686.001
// is its v19 successor, a sub-technique of T1686 "Disable or Modify
// System Firewall" under the new Defense Impairment tactic (TA0112). Each
// entry carries the ATT&CK version its ids are from.
// Unknown ids are passed through with the id alone.
//
// Provenance of the v19 names (checked 2026-12-02 without access to
// attack.mitre.org, from public material that quotes it): a threat actor
// profile generated from the ATT&CK 19.1 STIX bundle lists "Defense
// Impairment | T1686 | Disable or Modify System Firewall"; a v19 technique
// list gives T1686 "Disable or Modify System Firewall" with T1686.001
// "Cloud Firewall", T1686.002 "Network Device Firewall" and T1686.003
// "Windows Host Firewall"; a software page generated from ATT&CK names
// Pacu's use of T1686.001 "Cloud Firewall"; a revocation table maps
// T1562.004 to T1686 and T1562.007 to T1686.001; several sources give
// TA0112 as Defense Impairment, split from Defense Evasion (whose id
// TA0005 now names Stealth).
func ocsfAttacks(ids []string) []ocsfAttack {
	out := make([]ocsfAttack, 0, len(ids))
	for _, id := range ids {
		switch id {
		case "T1562.007":
			out = append(out, ocsfAttack{
				Version:      "18",
				Technique:    &ocsfNamedUID{UID: "T1562", Name: "Impair Defenses"},
				SubTechnique: &ocsfNamedUID{UID: "T1562.007", Name: "Disable or Modify Cloud Firewall"},
				Tactic:       &ocsfNamedUID{UID: "TA0005", Name: "Defense Evasion"},
			})
		case "T1686.001":
			out = append(out, ocsfAttack{
				Version:      "19",
				Technique:    &ocsfNamedUID{UID: "T1686", Name: "Disable or Modify System Firewall"},
				SubTechnique: &ocsfNamedUID{UID: "T1686.001", Name: "Cloud Firewall"},
				Tactic:       &ocsfNamedUID{UID: "TA0112", Name: "Defense Impairment"},
			})
		default:
			parent, _, isSub := strings.Cut(id, ".")
			if isSub {
				out = append(out, ocsfAttack{
					Technique:    &ocsfNamedUID{UID: parent},
					SubTechnique: &ocsfNamedUID{UID: id},
				})
			} else {
				out = append(out, ocsfAttack{Technique: &ocsfNamedUID{UID: id}})
			}
		}
	}
	return out
}
