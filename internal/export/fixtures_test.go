package export

import (
	"encoding/json"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/testutil"
)

// flagged is one fixture record in its cloud's native log shape with the
// findings the engine makes of it alone.
type flagged struct {
	where    string // file:record
	cloud    model.Cloud
	record   map[string]any
	findings []model.Finding
}

// fixtureDirs hold the records the queries are checked against: the
// bundled samples and the normalize parsers' fixtures (real and
// synthetic records of every cloud; provenance in their REAL_SOURCES.md).
var fixtureDirs = []string{
	"../../testdata/samples",
	"../normalize/aws/testdata",
	"../normalize/azure/testdata",
	"../normalize/gcp/testdata",
}

// nativeCloud says which cloud's native log shape a record has: a
// CloudTrail record, an Azure Activity Log record as diagnostic settings
// write it, or a GCP LogEntry. Envelopes (EventBridge, Splunk, REST forms,
// Log Analytics rows) are other shapes, which the queries do not read.
func nativeCloud(r map[string]any) (model.Cloud, bool) {
	if _, ok := r["eventSource"].(string); ok {
		if _, ok := r["eventName"].(string); ok {
			return model.AWS, true
		}
	}
	if _, ok := r["operationName"].(string); ok {
		if _, ok := r["resourceId"].(string); ok {
			return model.Azure, true
		}
	}
	if pp, ok := r["protoPayload"].(map[string]any); ok {
		if _, ok := pp["methodName"].(string); ok {
			return model.GCP, true
		}
	}
	return "", false
}

// fixtureRecords returns every native record of the fixtures with the
// engine's findings on it. Each record is judged alone, as a query sees it.
func fixtureRecords(t *testing.T, c *content.Content) []flagged {
	t.Helper()
	d := detect.New(c)
	var out []flagged
	for _, dir := range fixtureDirs {
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := e.Name()
			if e.IsDir() || strings.HasSuffix(name, ".golden.json") || !(strings.Contains(name, ".json") || strings.HasSuffix(name, ".jsonl")) {
				return nil
			}
			for i, r := range testutil.Records(t, path) {
				cl, ok := nativeCloud(r)
				if !ok {
					continue
				}
				raw, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				f := flagged{where: path + ":" + itoa(i), cloud: cl, record: r}
				res := normalize.Parse(raw, model.SourceRef{File: path, Index: int64(i)}, nil)
				for k := range res.Events {
					if fd, ok := d.Evaluate(&res.Events[k]); ok {
						f.findings = append(f.findings, fd)
					}
				}
				out = append(out, f)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d native fixture records", len(out))
	}
	return out
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// exposed matches one exposure the engine describes: who, then the port
// and protocol, then the port's service in brackets.
var exposed = regexp.MustCompile(`^(?:egress to )?(?:IPv[46] )?internet -> (?:(\d+)(?:-\d+)?/\w+|(all protocols and ports)|all (\w+) ports)?`)

// worldOpen reports whether the engine found the finding open to the
// whole internet, and whether on a sensitive port, all ports or all
// protocols; engineOnly says why a sensitive opening is one the queries
// leave to the engine (a range covering a sensitive port, ports absent).
func worldOpen(c *content.Content, f model.Finding) (world, sensitive bool, engineOnly string) {
	sens := map[string]bool{"0": true}
	for _, p := range sensitivePorts(c) {
		sens[p] = true
	}
	for _, e := range f.Exposure {
		m := exposed.FindStringSubmatch(e)
		if m == nil {
			continue
		}
		world = true
		switch {
		case m[2] != "" || sens[m[1]]:
			sensitive = true
		case m[3] != "":
			engineOnly = "every " + m[3] + " port: the request names no ports"
		case strings.Contains(e, "(covers"):
			engineOnly = "a port range that covers a sensitive port"
		}
	}
	if sensitive {
		engineOnly = ""
	}
	return world, sensitive, engineOnly
}

// operationKey is the catalogue key of a native record, as normalize
// derives it.
func operationKey(cl model.Cloud, r map[string]any) string {
	switch cl {
	case model.AWS:
		return strings.ToLower(strings.TrimSuffix(r["eventSource"].(string), ".amazonaws.com") + ":" + r["eventName"].(string))
	case model.Azure:
		return strings.ToLower(r["operationName"].(string))
	}
	m := strings.ToLower(r["protoPayload"].(map[string]any)["methodName"].(string))
	if first, rest, ok := strings.Cut(m, "."); ok && (first == "v1" || first == "beta" || first == "alpha" || strings.HasPrefix(first, "v1beta") || strings.HasPrefix(first, "v1alpha")) {
		return rest
	}
	return m
}

func hasString(list []string, s string) bool { return slices.Contains(list, s) }
