package simulate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"cloudwall/internal/model"
)

const testSize = 2 << 20

func generate(t *testing.T, opts CorpusOptions) (string, Manifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := GenerateCorpus(context.Background(), dir, opts)
	if err != nil {
		t.Fatalf("GenerateCorpus: %v", err)
	}
	return dir, m
}

// readPlain returns a corpus file's uncompressed bytes.
func readPlain(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case bytes.HasPrefix(raw, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: gunzip: %v", path, err)
		}
		return out
	case bytes.HasPrefix(raw, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: unzstd: %v", path, err)
		}
		return out
	}
	return raw
}

// records splits a file into its raw records: the elements of Records for
// CloudTrail, the lines for JSON-lines files, nothing for digests.
func records(t *testing.T, f FileInfo, data []byte) []json.RawMessage {
	t.Helper()
	if f.Cloud == model.AWS {
		var env struct {
			Records []json.RawMessage `json:"Records"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("%s: not a JSON document: %v", f.Path, err)
		}
		if f.Kind == string(kindDigest) {
			if env.Records != nil {
				t.Errorf("%s: digest has Records", f.Path)
			}
		} else if bytes.Count(data, []byte("\n")) != 0 {
			t.Errorf("%s: CloudTrail file is not one line", f.Path)
		}
		return env.Records
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		out = append(out, json.RawMessage(bytes.Clone(sc.Bytes())))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The real object key layouts (operations.md 1.6, 2.2, 3.4).
var (
	awsKey    = regexp.MustCompile(`^AWSLogs/(\d{12})/(CloudTrail|CloudTrail-Insight)/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_(CloudTrail|CloudTrail-Insight)_([a-z]{2}-[a-z]+-\d)_(\d{4})(\d{2})(\d{2})T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)
	digestKey = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail-Digest/([a-z]{2}-[a-z]+-\d)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail-Digest_([a-z]{2}-[a-z]+-\d)_[a-z-]+_us-east-1_(\d{4})(\d{2})(\d{2})T\d{6}Z\.json\.gz$`)
	azureKey  = regexp.MustCompile(`^insights-activity-logs/resourceId=/SUBSCRIPTIONS/[0-9A-F-]{36}/y=\d{4}/m=\d{2}/d=\d{2}/h=\d{2}/m=00/PT1H\.json(\.gz)?$`)
	gcpKey    = regexp.MustCompile(`^cloudaudit\.googleapis\.com/(activity|data_access)/\d{4}/\d{2}/\d{2}/(\d{2}):00:00_(\d{2}):59:59_S\d\.json(\.gz)?$`)
)

// checkLayout reports whether a path follows its cloud's layout, with the
// repeated parts (account, region, date, hour) agreeing.
func checkLayout(f FileInfo) bool {
	switch f.Cloud {
	case model.AWS:
		if m := awsKey.FindStringSubmatch(f.Path); m != nil {
			return m[1] == m[7] && m[2] == m[8] && m[3] == m[9] && m[4]+m[5]+m[6] == m[10]+m[11]+m[12]
		}
		if m := digestKey.FindStringSubmatch(f.Path); m != nil {
			return m[1] == m[6] && m[2] == m[7] && m[3]+m[4]+m[5] == m[8]+m[9]+m[10]
		}
		return false
	case model.Azure:
		return azureKey.MatchString(f.Path)
	case model.GCP:
		m := gcpKey.FindStringSubmatch(f.Path)
		return m != nil && m[2] == m[3]
	}
	return false
}

func TestCorpus(t *testing.T) {
	dir, m := generate(t, CorpusOptions{Size: testSize, Seed: 7, Workers: 2})

	reread, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reread.Events) != len(m.Events) || len(reread.Files) != len(m.Files) {
		t.Fatalf("manifest on disk has %d events/%d files, returned %d/%d", len(reread.Events), len(reread.Files), len(m.Events), len(m.Files))
	}

	// Every file is where the manifest says, decompresses, and holds the
	// records the manifest counts, each a JSON object.
	var total int64
	byFile := map[string][]json.RawMessage{}
	for _, f := range m.Files {
		if !checkLayout(f) {
			t.Errorf("path %q does not follow the %s layout", f.Path, f.Cloud)
		}
		data := readPlain(t, filepath.Join(dir, filepath.FromSlash(f.Path)))
		if int64(len(data)) != f.Bytes {
			t.Errorf("%s: %d bytes, manifest says %d", f.Path, len(data), f.Bytes)
		}
		recs := records(t, f, data)
		if int64(len(recs)) != f.Records {
			t.Errorf("%s: %d records, manifest says %d", f.Path, len(recs), f.Records)
		}
		for i, rec := range recs {
			var obj map[string]any
			if err := json.Unmarshal(rec, &obj); err != nil {
				t.Fatalf("%s record %d: %v", f.Path, i, err)
			}
		}
		byFile[f.Path] = recs
		total += f.Bytes
	}
	if total < testSize*9/10 || total > testSize*13/10 {
		t.Errorf("corpus holds %d bytes, asked for %d", total, testSize)
	}

	// Every scenario is planted, and each planted event points at records
	// that carry its ids and operation.
	seen := map[string]int{}
	for _, ev := range m.Events {
		seen[ev.Scenario]++
		recs := byFile[ev.File]
		if len(ev.Records) == 0 || len(ev.IDs) == 0 || ev.EventID == "" {
			t.Errorf("%s: incomplete planted event %+v", ev.Scenario, ev)
			continue
		}
		for _, idx := range ev.Records {
			if idx < 0 || idx >= int64(len(recs)) {
				t.Fatalf("%s: record index %d outside %s (%d records)", ev.Scenario, idx, ev.File, len(recs))
			}
		}
		first := string(recs[ev.Records[0]])
		if !strings.Contains(first, ev.EventID) {
			t.Errorf("%s: record %d of %s does not carry event id %s", ev.Scenario, ev.Records[0], ev.File, ev.EventID)
		}
		// Decoding resolves escape variants, so the operation must appear.
		var dec map[string]any
		_ = json.Unmarshal(recs[ev.Records[0]], &dec)
		if !containsValue(dec, ev.Operation) {
			t.Errorf("%s: record does not name %s", ev.Scenario, ev.Operation)
		}
		if !ev.Matches(FindingRef{Cloud: ev.Cloud, EventID: ev.EventID}) ||
			!ev.Matches(FindingRef{Cloud: ev.Cloud, File: "/tmp/x/" + ev.File, Index: ev.Records[len(ev.Records)-1]}) {
			t.Errorf("%s: does not match its own finding reference", ev.Scenario)
		}
	}
	for _, sc := range scenarios {
		if seen[sc.Name] == 0 {
			t.Errorf("scenario %s not planted", sc.Name)
		}
	}
	if got := len(m.Events); got != len(reread.Events) {
		t.Errorf("planted.jsonl holds %d events, manifest %d", len(reread.Events), got)
	}

	// Escape variants survive in the raw bytes.
	raw := 0
	for _, recs := range byFile {
		for _, rec := range recs {
			if bytes.Contains(rec, []byte(`\u0041uthorizeSecurityGroupIngress`)) || bytes.Contains(rec, []byte(`firewalls.\u0069nsert`)) || bytes.Contains(rec, []byte(`NETWORKSECURITYGROUPS\/SECURITYRULES`)) {
				raw++
			}
		}
	}
	if raw < 3 {
		t.Errorf("found %d records with deliberate escapes, want at least 3", raw)
	}
}

func containsValue(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case map[string]any:
		for _, e := range x {
			if containsValue(e, s) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if containsValue(e, s) {
				return true
			}
		}
	}
	return false
}

func hashTree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = sha256.Sum256(raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, _ := generate(t, CorpusOptions{Size: 1 << 20, Seed: 42, Workers: 1})
	b, _ := generate(t, CorpusOptions{Size: 1 << 20, Seed: 42, Workers: 3})
	c, _ := generate(t, CorpusOptions{Size: 1 << 20, Seed: 43, Workers: 2})
	ha, hb, hc := hashTree(t, a), hashTree(t, b), hashTree(t, c)
	if len(ha) != len(hb) {
		t.Fatalf("same seed gave %d and %d files", len(ha), len(hb))
	}
	for k, v := range ha {
		if hb[k] != v {
			t.Errorf("%s differs between runs with the same seed", k)
		}
	}
	if ha[ManifestFile] == hc[ManifestFile] {
		t.Error("different seeds gave the same manifest")
	}
}

func TestOptions(t *testing.T) {
	dir, m := generate(t, CorpusOptions{Size: 600 << 10, Seed: 3, Compression: CompressZstd, PlainShare: -1, HugeFile: 300 << 10, PlantRate: -1, Mix: Mix{AWS: 1}})
	if len(m.Events) != 0 {
		t.Errorf("PlantRate<0 planted %d events", len(m.Events))
	}
	var huge bool
	for _, f := range m.Files {
		if f.Cloud != model.AWS {
			t.Errorf("Mix{AWS:1} produced %s file %s", f.Cloud, f.Path)
		}
		if !strings.HasSuffix(f.Path, ".json.zst") {
			t.Errorf("zstd corpus has %s", f.Path)
		}
		if f.Bytes >= 300<<10 {
			huge = true
		}
		readPlain(t, filepath.Join(dir, filepath.FromSlash(f.Path)))
	}
	if !huge {
		t.Error("no file of HugeFile size")
	}
	if _, err := GenerateCorpus(context.Background(), dir, CorpusOptions{Size: 1000}); err == nil {
		t.Error("GenerateCorpus into a non-empty directory succeeded")
	}
	if _, err := GenerateCorpus(context.Background(), t.TempDir(), CorpusOptions{Size: 1000, Compression: "lz4"}); err == nil {
		t.Error("unknown compression accepted")
	}
}
