package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name), got)
}

func render(t *testing.T, format string, findings []model.Finding, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, findings, testSummary(), opts); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	opts := Options{Version: "1.2.3", Now: testNow}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			out := render(t, format, testFindings(), opts)
			switch format {
			case FormatJSON:
				testutil.Validate(t, testutil.ReportSchema, "golden.json", out)
			case FormatJSONL:
				testutil.ValidateJSONL(t, "golden.jsonl", out)
			case FormatOCSF:
				validateOCSF(t, loadOCSFTable(t), "golden.ocsf", out)
			}
			checkGolden(t, "golden."+format, out)
		})
	}
	t.Run("table-color", func(t *testing.T) {
		checkGolden(t, "golden.table-color", render(t, FormatTable, testFindings(), Options{Color: true}))
	})
	for _, width := range []int{80, 120, 200} {
		name := fmt.Sprintf("table-%d", width)
		t.Run(name, func(t *testing.T) {
			checkGolden(t, "golden."+name, render(t, FormatTable, testFindings(), Options{Width: width}))
		})
	}
	t.Run("table-verbose", func(t *testing.T) {
		checkGolden(t, "golden.table-verbose", render(t, FormatTable, testFindings(), Options{Verbose: true, Width: 80}))
	})
	t.Run("table-empty", func(t *testing.T) {
		checkGolden(t, "golden.table-empty", render(t, FormatTable, nil, opts))
	})
	t.Run("markdown-empty", func(t *testing.T) {
		checkGolden(t, "golden.markdown-empty", render(t, FormatMarkdown, nil, opts))
	})
	t.Run("summary", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteSummary(&buf, testSummary(), Options{}); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "golden.summary", buf.Bytes())
	})
}

// The published schema is the contract: every field model.Finding writes
// is described in it (and the schema rejects unknown fields, so a field
// added to the model without the schema fails every output test).
func TestSchemaDescribesEveryField(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), testutil.FindingSchema))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	check := func(where string, typ reflect.Type, props map[string]any) {
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if _, ok := props[name]; !ok {
				t.Errorf("%s field %q is not in %s", where, name, testutil.FindingSchema)
			}
		}
	}
	check("finding", reflect.TypeFor[model.Finding](), schema.Properties)
	check("actor", reflect.TypeFor[model.Actor](), schema.Defs["actor"].Properties)
	check("resource", reflect.TypeFor[model.Resource](), schema.Defs["resource"].Properties)
	check("rule change", reflect.TypeFor[model.RuleChange](), schema.Defs["rule_change"].Properties)
	check("guidance", reflect.TypeFor[model.Guidance](), schema.Defs["guidance"].Properties)
	check("event", reflect.TypeFor[model.EventRef](), schema.Defs["event"].Properties)
	check("window", reflect.TypeFor[model.Window](), schema.Defs["window"].Properties)
	check("rule set", reflect.TypeFor[model.RuleSet](), schema.Defs["rule_set"].Properties)
	check("traffic", reflect.TypeFor[model.Traffic](), schema.Defs["traffic"].Properties)
	check("flow peer", reflect.TypeFor[model.FlowPeer](), schema.Defs["flow_peer"].Properties)
}

// The validator is real: findings that break the contract are rejected.
func TestSchemaRejectsBadFindings(t *testing.T) {
	good, err := json.Marshal(testFindings()[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"missing id":       func(m map[string]any) { delete(m, "id") },
		"unknown field":    func(m map[string]any) { m["colour"] = "red" },
		"bad severity":     func(m map[string]any) { m["severity"] = "urgent" },
		"bad time":         func(m map[string]any) { m["time"] = "yesterday" },
		"bad outcome":      func(m map[string]any) { m["outcome"] = "unknown" },
		"mfa as string":    func(m map[string]any) { m["actor"].(map[string]any)["mfa"] = "yes" },
		"bad attack id":    func(m map[string]any) { m["attack"] = []any{"T1562.7"} },
		"bad change":       func(m map[string]any) { m["changes"] = []any{map[string]any{"effect": "opened"}} },
		"index not number": func(m map[string]any) { m["event"].(map[string]any)["index"] = "41" },
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		doc, _ := json.Marshal(m)
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := testutil.Schema(t, testutil.FindingSchema).Validate(v); err == nil {
			t.Errorf("%s: the schema accepted %s", name, doc)
		}
	}
	testutil.Validate(t, testutil.FindingSchema, "unedited", good)
}

func TestUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, "yaml", testFindings(), testSummary(), Options{})
	if err == nil {
		t.Fatal("Write accepted an unknown format")
	}
	for _, f := range Formats() {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not list format %q", err, f)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes for an unknown format", buf.Len())
	}
}

func TestFormatNameIsCaseInsensitive(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, " JSONL ", testFindings(), testSummary(), Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var doc struct {
		Findings []model.Finding `json:"findings"`
		Summary  model.Summary   `json:"summary"`
	}
	out := render(t, FormatJSON, testFindings(), Options{})
	testutil.Validate(t, testutil.ReportSchema, "json", out)
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Findings, testFindings()) {
		t.Errorf("findings changed in the round trip:\n got %+v\nwant %+v", doc.Findings, testFindings())
	}
	if !reflect.DeepEqual(doc.Summary, testSummary()) {
		t.Errorf("summary changed in the round trip:\n got %+v\nwant %+v", doc.Summary, testSummary())
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, FormatJSON, nil, model.Summary{}, Options{}); err != nil {
		t.Fatal(err)
	}
	testutil.Validate(t, testutil.ReportSchema, "json", buf.Bytes())
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := string(doc["findings"]); got != "[]" {
		t.Errorf("findings = %s, want []", got)
	}
	var sum model.Summary
	if err := json.Unmarshal(doc["summary"], &sum); err != nil {
		t.Fatal(err)
	}
	for _, s := range severities() {
		if n, ok := sum.Findings[s.String()]; !ok || n != 0 {
			t.Errorf("summary findings[%s] = %d, %v; want 0, true", s, n, ok)
		}
	}
}

func TestJSONLRoundTrip(t *testing.T) {
	out := render(t, FormatJSONL, testFindings(), Options{Version: "1.2.3", Revision: "abc123"})
	testutil.ValidateJSONL(t, "jsonl", out)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := testFindings()
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(lines), len(want))
	}
	for i, line := range lines {
		var f model.Finding
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !reflect.DeepEqual(f, want[i]) {
			t.Errorf("line %d changed in the round trip:\n got %+v\nwant %+v", i+1, f, want[i])
		}
		// Each line is model.Finding's JSON plus the schema version and
		// the tool, and no other keys.
		canonical, err := json.Marshal(want[i])
		if err != nil {
			t.Fatal(err)
		}
		var a, b map[string]any
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(canonical, &b); err != nil {
			t.Fatal(err)
		}
		if a["schema_version"] != SchemaVersion {
			t.Errorf("line %d: schema_version = %v, want %s", i+1, a["schema_version"], SchemaVersion)
		}
		if tool, _ := a["tool"].(map[string]any); tool["name"] != "cloudwall" || tool["version"] != "1.2.3" || tool["revision"] != "abc123" {
			t.Errorf("line %d: tool = %v", i+1, a["tool"])
		}
		delete(a, "schema_version")
		delete(a, "tool")
		if !reflect.DeepEqual(a, b) {
			t.Errorf("line %d is not model.Finding's JSON form", i+1)
		}
	}
}

func TestJSONLEmpty(t *testing.T) {
	if out := render(t, FormatJSONL, nil, Options{}); len(out) != 0 {
		t.Errorf("jsonl with no findings wrote %q", out)
	}
}

func TestCSV(t *testing.T) {
	r := csv.NewReader(bytes.NewReader(render(t, FormatCSV, testFindings(), Options{})))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := testFindings()
	if len(rows) != len(want)+1 {
		t.Fatalf("got %d rows, want header + %d", len(rows), len(want))
	}
	header := rows[0]
	if !reflect.DeepEqual(header, csvHeader()) {
		t.Errorf("header = %q", header)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[h] = i
	}
	for i, row := range rows[1:] {
		if len(row) != len(header) {
			t.Errorf("row %d has %d columns, want %d", i+1, len(row), len(header))
			continue
		}
		if row[col["id"]] != want[i].ID {
			t.Errorf("row %d id = %q, want %q", i+1, row[col["id"]], want[i].ID)
		}
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %s starts with a formula character: %q", i+1, header[j], cell)
			}
		}
	}
	checks := []struct {
		row            int
		column, want   string
		stringContains bool
	}{
		{1, "user_agent", "'=cmd|' /C calc'!A0", false},
		{3, "resource_name", "'+allow-internal", false},
		{3, "event_id", "'-abc123def", false},
		{4, "user_agent", "'@SUM(1+1)", false},
		{4, "error_code", "Client.UnauthorizedOperation", false},
		{4, "actor_name", "bob\nsmith", false},
		{1, "changes", "added ingress allow tcp 22 from 0.0.0.0/0, ::/0 (rule sgr-0aaa); added ingress allow all ports from group:sg-0def5678, prefix-list:pl-0123abcd", false},
		{2, "tags", "iac", false},
		{2, "time", "2025-03-14T10:02:00.5Z", false},
		{1, "exposure", "internet -> 22/tcp (ssh); internet (IPv6) -> 22/tcp (ssh)", false},
	}
	for _, c := range checks {
		if got := rows[c.row][col[c.column]]; got != c.want {
			t.Errorf("row %d %s = %q, want %q", c.row, c.column, got, c.want)
		}
	}
}

func TestDefuseFormula(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"=1+1":          "'=1+1",
		"+1":            "'+1",
		"-1":            "'-1",
		"@A1":           "'@A1",
		"\tx":           "'\tx",
		"\rx":           "'\rx",
		"safe=1":        "safe=1",
		"0.0.0.0/0":     "0.0.0.0/0",
		"'already text": "'already text",
	} {
		if got := defuseFormula(in); got != want {
			t.Errorf("defuseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

// testNow is when the test findings are written.
var testNow = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

func TestOCSF(t *testing.T) {
	out := render(t, FormatOCSF, testFindings(), Options{Version: "1.2.3", Now: testNow})
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := testFindings()
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d", len(lines), len(want))
	}
	wantSeverityID := map[model.Severity]float64{model.Info: 1, model.Low: 2, model.Medium: 3, model.High: 4, model.Critical: 5}
	for i, line := range lines {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		f := want[i]
		expect := map[string]any{
			"class_uid":     float64(2004),
			"category_uid":  float64(2),
			"activity_id":   float64(1),
			"type_uid":      float64(200401),
			"severity_id":   wantSeverityID[f.Severity],
			"status_id":     float64(1),
			"time":          float64(f.Time.UnixMilli()),
			"risk_level_id": float64(f.Severity),
		}
		for k, v := range expect {
			if ev[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i+1, k, ev[k], v)
			}
		}
		meta := ev["metadata"].(map[string]any)
		if meta["version"] != "1.3.0" {
			t.Errorf("line %d: metadata.version = %v", i+1, meta["version"])
		}
		if v := meta["product"].(map[string]any)["version"]; v != "1.2.3" {
			t.Errorf("line %d: metadata.product.version = %v", i+1, v)
		}
		info := ev["finding_info"].(map[string]any)
		if info["uid"] != f.ID || info["title"] != f.Title {
			t.Errorf("line %d: finding_info uid/title = %v/%v", i+1, info["uid"], info["title"])
		}
		if a := info["analytic"].(map[string]any); a["uid"] != f.Rule || a["type_id"] != float64(1) {
			t.Errorf("line %d: analytic = %v", i+1, a)
		}
		attacks := info["attacks"].([]any)
		if len(attacks) != 2 {
			t.Fatalf("line %d: %d attacks, want 2", i+1, len(attacks))
		}
		sub0 := attacks[0].(map[string]any)["sub_technique"].(map[string]any)["uid"]
		sub1 := attacks[1].(map[string]any)["sub_technique"].(map[string]any)["uid"]
		if sub0 != "T1562.007" || sub1 != "T1686.001" {
			t.Errorf("line %d: sub-techniques %v, %v", i+1, sub0, sub1)
		}
		if p := ev["cloud"].(map[string]any)["provider"]; p != f.Cloud.Provider() {
			t.Errorf("line %d: cloud.provider = %v", i+1, p)
		}
	}
	// A source address that is a service name is no endpoint: it is kept
	// in unmapped; the error is the status code.
	var ev struct {
		StatusCode string `json:"status_code"`
		Evidences  []struct {
			SrcEndpoint map[string]string `json:"src_endpoint"`
			API         struct {
				Response struct{ Error string } `json:"response"`
			} `json:"api"`
		} `json:"evidences"`
		Unmapped struct {
			SourceIP string `json:"source_ip"`
		} `json:"unmapped"`
	}
	if err := json.Unmarshal([]byte(lines[3]), &ev); err != nil {
		t.Fatal(err)
	}
	if got := ev.Evidences[0].SrcEndpoint; got != nil {
		t.Errorf("src_endpoint = %v, want none for a service name", got)
	}
	if ev.Unmapped.SourceIP != "ec2.amazonaws.com" {
		t.Errorf("unmapped.source_ip = %q", ev.Unmapped.SourceIP)
	}
	if got := ev.Evidences[0].API.Response.Error; got != "Client.UnauthorizedOperation" || ev.StatusCode != got {
		t.Errorf("api.response.error = %q, status_code = %q", got, ev.StatusCode)
	}
	for i, line := range lines {
		var ev struct {
			Resources []map[string]any `json:"resources"`
			Cloud     map[string]any   `json:"cloud"`
			Info      struct {
				CreatedTime   int64 `json:"created_time"`
				RelatedEvents []struct {
					UID string `json:"uid"`
				} `json:"related_events"`
				Attacks []struct {
					Version   string `json:"version"`
					Technique struct {
						UID, Name string
					} `json:"technique"`
				} `json:"attacks"`
			} `json:"finding_info"`
			Evidences []struct {
				Actor struct {
					Session map[string]any `json:"session"`
				} `json:"actor"`
			} `json:"evidences"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		f := want[i]
		for _, r := range ev.Resources {
			if r["uid"] == nil && r["name"] == nil {
				t.Errorf("line %d: resource %v has neither uid nor name", i+1, r)
			}
		}
		if ev.Info.CreatedTime != testNow.UnixMilli() {
			t.Errorf("line %d: created_time %d is not when the finding was made", i+1, ev.Info.CreatedTime)
		}
		if f.Event.EventID != "" && (len(ev.Info.RelatedEvents) != 1 || ev.Info.RelatedEvents[0].UID != f.Event.EventID) {
			t.Errorf("line %d: related_events = %v", i+1, ev.Info.RelatedEvents)
		}
		for _, a := range ev.Info.Attacks {
			if a.Version == "" || a.Technique.Name == "" {
				t.Errorf("line %d: attack %+v lacks its version or technique name", i+1, a)
			}
		}
		if f.Cloud == model.GCP && (ev.Cloud["project_uid"] != f.Account || ev.Cloud["account"] != nil) {
			t.Errorf("line %d: GCP cloud = %v, want project_uid %s", i+1, ev.Cloud, f.Account)
		}
		if f.Actor.AccessKey != "" {
			sess := ev.Evidences[0].Actor.Session
			if sess["credential_uid"] != f.Actor.AccessKey || sess["uid"] == f.Actor.AccessKey {
				t.Errorf("line %d: session = %v, want the access key as credential_uid only", i+1, sess)
			}
		}
	}
}

func trimmedLines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// Markdown reports put each guidance command in a fenced block of its own,
// verbatim, so it copies and pastes; a command holding backticks gets a
// longer fence.
func TestMarkdownCommandsInCodeBlocks(t *testing.T) {
	out := string(render(t, FormatMarkdown, testFindings(), Options{}))
	lines := trimmedLines(out)
	n := 0
	for _, f := range testFindings() {
		if f.Severity < model.High || f.Guidance == nil {
			continue // only high and critical findings get a section
		}
		for _, c := range f.Guidance.Commands {
			for i, l := range lines {
				if l != c.Run {
					continue
				}
				n++
				open, close := lines[i-1], lines[i+1]
				if !strings.HasPrefix(open, "```") || strings.TrimSuffix(open, "sh") != close {
					t.Errorf("command %q is not fenced: %q / %q", c.Run, open, close)
				}
				if strings.Contains(c.Run, "```") && !strings.HasPrefix(close, "````") {
					t.Errorf("fence %q can be closed by the command %q", close, c.Run)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no command found in the report")
	}
}

func TestMarkdownTableCells(t *testing.T) {
	out := string(render(t, FormatMarkdown, testFindings(), Options{}))
	inFindings := false
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| # |") {
			inFindings = true
		}
		if inFindings && !strings.HasPrefix(line, "|") {
			break
		}
		if !inFindings {
			continue
		}
		// A row has 9 cells: 10 unescaped pipes.
		if n := unescapedPipes(line); n != 10 {
			t.Errorf("row has %d unescaped pipes, want 10: %s", n, line)
		}
	}
	if !inFindings {
		t.Fatal("no findings table")
	}
	// Drop escaped characters; what remains must hold no live syntax.
	unescaped := strings.NewReplacer(`\<`, "", `\[`, "", `\]`, "").Replace(out)
	for _, bad := range []string{"[click]", "<all>", "\x1b", "\u202e", "bob\nsmith"} {
		if strings.Contains(unescaped, bad) {
			t.Errorf("report contains unescaped %q", bad)
		}
	}
}

func unescapedPipes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

func TestTableHasNoRawControlCharacters(t *testing.T) {
	fs := testFindings()
	fs[0].Resource.ID = "sg-\x1b[31mRED\x1b[0m\x1b]0;title\x07\r\x00"
	for _, format := range []string{FormatTable, FormatCSV, FormatMarkdown} {
		out := render(t, format, fs, Options{})
		for _, bad := range []string{"\x1b", "\x07", "\u202e", "\r", "\x00"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%s contains %q", format, bad)
			}
		}
	}
}

// The table fits the terminal at every common width, and the finding
// text is wrapped, never cut: every word of every title is on screen.
func TestTableWidth(t *testing.T) {
	findings := testFindings()
	for _, width := range []int{60, 80, 100, 120, 160, 200} {
		out := string(render(t, FormatTable, findings, Options{Width: width}))
		table, _, _ := strings.Cut(out, "\n\nFiles:")
		for _, line := range strings.Split(table, "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: line is %d runes wide: %s", width, n, line)
			}
			if strings.HasSuffix(line, " ") {
				t.Errorf("width %d: line has trailing spaces: %q", width, line)
			}
		}
		words := strings.Fields(table)
		for _, f := range findings {
			for _, word := range strings.Fields(cleanText(f.Title)) {
				if !slices.Contains(words, word) && !strings.Contains(table, word) {
					t.Errorf("width %d: title word %q of %s is not shown", width, word, f.ID)
				}
			}
		}
		for i, id := range ShortIDs(findings) {
			if !strings.Contains(table, id) {
				t.Errorf("width %d: short id %q of finding %d is not shown", width, id, i)
			}
		}
	}
}

// Columns give way by priority: at 80 columns the finding keeps room and
// the account goes before the actor; at 200 everything is shown.
func TestTableColumnsGiveWay(t *testing.T) {
	header := func(width int) string {
		out := string(render(t, FormatTable, testFindings(), Options{Width: width}))
		h, _, _ := strings.Cut(out, "\n")
		return h
	}
	for _, c := range []struct {
		width    int
		shown    []string
		notShown []string
	}{
		{80, []string{"ID", "SEV", "FINDING", "ACTOR"}, []string{"ACCOUNT", "SOURCE IP", "TIME"}},
		{120, []string{"ID", "SEVERITY", "TIME", "CLOUD", "FINDING", "ACTOR"}, []string{"ACCOUNT"}},
		{200, []string{"ID", "SEVERITY", "TIME", "CLOUD", "ACCOUNT", "FINDING", "ACTOR", "SOURCE IP"}, nil},
		{0, []string{"ID", "SEVERITY", "TIME", "CLOUD", "ACCOUNT", "FINDING", "ACTOR", "SOURCE IP"}, nil},
	} {
		h := header(c.width)
		for _, col := range c.shown {
			if !strings.Contains(h, col) {
				t.Errorf("width %d: column %s missing from %q", c.width, col, h)
			}
		}
		for _, col := range c.notShown {
			if strings.Contains(h, col) {
				t.Errorf("width %d: column %s shown in %q", c.width, col, h)
			}
		}
	}
	// Without a terminal width every finding is one line.
	out := string(render(t, FormatTable, testFindings(), Options{}))
	table, _, _ := strings.Cut(out, "\n\n")
	if n := strings.Count(table, "\n"); n != len(testFindings()) {
		t.Errorf("unfitted table has %d lines after the header, want %d", n, len(testFindings()))
	}
}

func TestShortIDs(t *testing.T) {
	mk := func(ids ...string) []model.Finding {
		fs := make([]model.Finding, len(ids))
		for i, id := range ids {
			fs[i].ID = id
		}
		return fs
	}
	for _, c := range []struct {
		ids, want []string
	}{
		{[]string{"d0a0e65ebdc6947d", "aa11bb22cc33dd44"}, []string{"d0a0e65", "aa11bb2"}},
		{[]string{"d0a0e65ebdc6947d", "d0a0e65fbdc6947d"}, []string{"d0a0e65e", "d0a0e65f"}},
		{[]string{"d0a0e65ebdc6947d", "d0a0e65ebdc6947d"}, []string{"d0a0e65ebdc6947d", "d0a0e65ebdc6947d"}},
		{[]string{"abc", "abcdefgh"}, []string{"abc", "abcdefg"}},
		{nil, []string{}},
	} {
		got := ShortIDs(mk(c.ids...))
		if !slices.Equal(got, c.want) {
			t.Errorf("ShortIDs(%q) = %q, want %q", c.ids, got, c.want)
		}
		for i, id := range got {
			if sel := SelectByID(mk(c.ids...), id); len(sel) == 0 || sel[0].ID != c.ids[i] {
				t.Errorf("SelectByID(%q) = %v, want %s first", id, sel, c.ids[i])
			}
		}
	}
	if got := SelectByID(mk("D0A0E65E", "aa"), "d0a0"); len(got) != 1 {
		t.Errorf("SelectByID is case-sensitive: %v", got)
	}
	if got := SelectByID(mk("aa"), ""); len(got) != 0 {
		t.Errorf("empty prefix selected %v", got)
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"Security group sg-1 opened to the internet", 20, []string{"Security group sg-1", "opened to the", "internet"}},
		{"averyveryverylongword x", 8, []string{"averyver", "yverylon", "gword x"}},
	} {
		if got := wrap(c.in, c.n); !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// -v prints every field an analyst acts on, for every finding.
func TestTableVerbose(t *testing.T) {
	out := string(render(t, FormatTable, testFindings(), Options{Verbose: true}))
	for _, f := range testFindings() {
		for _, want := range append(append([]string{f.ID, f.Rule, f.Operation}, f.Reasons...), f.Exposure...) {
			if !strings.Contains(out, cleanText(want)) {
				t.Errorf("verbose output lacks %q of %s", want, f.ID)
			}
		}
		if f.Guidance != nil {
			for _, g := range append(f.Guidance.Investigate, f.Guidance.Respond...) {
				for _, c := range f.Guidance.Commands {
					g = strings.TrimSuffix(g, c.Run)
				}
				if !strings.Contains(out, strings.TrimSpace(g)) {
					t.Errorf("verbose output lacks guidance %q", g)
				}
			}
			// Each command is a line of its own, whole.
			for _, c := range f.Guidance.Commands {
				if !slices.Contains(trimmedLines(out), c.Run) {
					t.Errorf("verbose output has no line that is the command %q", c.Run)
				}
			}
		}
		for _, c := range describeChanges(f.Changes) {
			if !strings.Contains(out, cleanText(c)) {
				t.Errorf("verbose output lacks change %q", c)
			}
		}
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"plain ünïcødé 日本": "plain ünïcødé 日本",
		"a\x1b[31mb":       `a\x1b[31mb`,
		"line\nbreak":      `line\x0abreak`,
		"rtl\u202eevil":    `rtl\u202eevil`,
		"bad\xffbyte":      `bad\xffbyte`,
		"c1\u0085":         `c1\u0085`,
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDescribeChange(t *testing.T) {
	for _, c := range []struct {
		in   model.RuleChange
		want string
	}{
		{model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
			Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}},
			"added ingress allow tcp 22 from 0.0.0.0/0"},
		{model.RuleChange{Effect: model.Removed}, "removed"},
		{model.RuleChange{Effect: model.Added, Direction: model.Ingress, Protocol: "tcp"}, "added ingress tcp (ports not logged)"},
		{model.RuleChange{Effect: model.Added, Protocol: "icmp", Peers: []model.Peer{{Kind: model.PeerAny, Value: "*"}}}, "added icmp peer any:*"},
		{model.RuleChange{Effect: model.Added, Direction: model.Egress, Action: model.Allow, Protocol: "udp",
			Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}},
			"added egress allow udp all ports to 0.0.0.0/0"},
		{model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}},
			Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}, PeersOmitted: 59999},
			"added ingress allow tcp 22 from 0.0.0.0/0, and 59999 more"},
	} {
		if got := describeChange(c.in); got != c.want {
			t.Errorf("describeChange = %q, want %q", got, c.want)
		}
	}
}

func TestHumanUnits(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 3_500_000: "3.3 MiB", 1 << 40: "1.0 TiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		1_234_567_891: "1.235s",
		12_345_678:    "12.3ms",
		1_234:         "1µs",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%d) = %q, want %q", d, got, want)
		}
	}
}

// failWriter fails every write, to check that errors surface.
type failWriter struct{}

var errFail = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errFail }

func TestWriteErrorsSurface(t *testing.T) {
	for _, format := range Formats() {
		if err := Write(failWriter{}, format, testFindings(), testSummary(), Options{}); !errors.Is(err, errFail) {
			t.Errorf("%s: error = %v, want %v", format, err, errFail)
		}
	}
	if err := WriteSummary(failWriter{}, testSummary(), Options{}); !errors.Is(err, errFail) {
		t.Errorf("summary: error = %v, want %v", err, errFail)
	}
}

// Large outputs exceed bufio's buffer, so errors occur mid-render too.
func TestWriteErrorsSurfaceLarge(t *testing.T) {
	many := make([]model.Finding, 0, 500)
	for range 100 {
		many = append(many, testFindings()...)
	}
	for _, format := range Formats() {
		if err := Write(failWriter{}, format, many, testSummary(), Options{}); !errors.Is(err, errFail) {
			t.Errorf("%s: error = %v, want %v", format, err, errFail)
		}
	}
}

// TestMarkdownRuleGuides: the report ends with one guide per rule its
// findings name, in order of first appearance, with headings moved under
// the report's own and shell comments in code blocks left alone.
func TestMarkdownRuleGuides(t *testing.T) {
	fs := testFindings()
	var want []string
	for _, f := range fs {
		if f.Rule != "" && !slices.Contains(want, f.Rule) {
			want = append(want, f.Rule)
		}
	}
	if len(want) < 2 {
		t.Fatalf("fixtures name %d rules; the test needs two or more", len(want))
	}
	calls := map[string]int{}
	guide := func(w io.Writer, rule string) error {
		calls[rule]++
		_, err := fmt.Fprintf(w, "# %s\n\nAbout %s.\n\n## Response\n\n```sh\n# a comment, not a heading\naws ec2 describe-security-groups\n```\n", rule, rule)
		return err
	}
	out := string(render(t, FormatMarkdown, fs, Options{Guide: guide}))
	at := strings.Index(out, "\n## Rule guides\n")
	if at < 0 {
		t.Fatalf("no rule guides section:\n%s", out)
	}
	guides := out[at:]
	last := -1
	for _, r := range want {
		if calls[r] != 1 {
			t.Errorf("guide of %s written %d times", r, calls[r])
		}
		i := strings.Index(guides, "\n### "+r+"\n")
		if i < 0 || i < last {
			t.Errorf("guide of %s missing or out of order", r)
		}
		last = i
	}
	if strings.Count(guides, "\n#### Response\n") != len(want) || strings.Count(guides, "\n# a comment, not a heading\n") != len(want) {
		t.Errorf("headings not demoted or code changed:\n%s", guides)
	}
	if strings.Contains(string(render(t, FormatMarkdown, fs, Options{})), "Rule guides") {
		t.Error("rule guides without a guide writer")
	}
}

// A narrowed time column drops the year only when every finding is of
// the same year: rows of 2020 and 2024 must not read as the same day.
func TestTableShortTimeKeepsYears(t *testing.T) {
	fs := testFindings()[:2]
	fs[0].Time = time.Date(2020, 3, 2, 16, 41, 0, 0, time.UTC)
	fs[1].Time = time.Date(2024, 3, 2, 16, 41, 0, 0, time.UTC)
	table := func(fs []model.Finding) string {
		out := string(render(t, FormatTable, fs, Options{Width: 120}))
		table, _, _ := strings.Cut(out, "\n\nFiles:")
		if !strings.Contains(table, "TIME") || strings.Contains(table, "16:41:00") {
			t.Fatalf("width 120 does not show a shortened time column:\n%s", table)
		}
		return table
	}
	if got := table(fs); !strings.Contains(got, "2020-03-02 16:41") || !strings.Contains(got, "2024-03-02 16:41") {
		t.Errorf("years dropped from findings of different years:\n%s", got)
	}
	fs[1].Time = fs[1].Time.AddDate(-4, 0, 1)
	if got := table(fs); strings.Contains(got, "2020-") || !strings.Contains(got, "03-03 16:41") {
		t.Errorf("one year: want month-day only:\n%s", got)
	}
}
