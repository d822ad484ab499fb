package attack

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Start is when every written scenario begins.
var Start = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

// Written says what Write produced.
type Written struct {
	Files []string
	// Calls are the steps as rendered, in order, for checking a scan.
	Calls []Call
}

// Call is one rendered step: when it happened and which operation key it
// was logged under.
type Call struct {
	Step         Step
	Time         time.Time
	OperationKey string
	Resource     string
}

// Write renders scenario s for cloud c under dir in the cloud's native
// delivery layout, with flow logs under dir/flows when the story has
// traffic.
func Write(dir string, s Scenario, c model.Cloud) (Written, error) {
	if !s.Supports(c) {
		return Written{}, fmt.Errorf("scenario %s does not exist for %s (it does for %v)", s.Name, c, s.Clouds)
	}
	r := renderers[c]
	var recs []record
	var w Written
	for i, st := range s.Steps {
		at := Start.Add(st.At)
		rs, key, res := r.step(s, i, st, at)
		recs = append(recs, rs...)
		w.Calls = append(w.Calls, Call{Step: st, Time: at, OperationKey: key, Resource: res})
	}
	files, err := r.write(dir, recs)
	if err != nil {
		return w, err
	}
	w.Files = files
	if s.Flows {
		f, err := writeFlows(dir, s, c, w.Calls[0])
		if err != nil {
			return w, err
		}
		w.Files = append(w.Files, f)
	}
	return w, nil
}

// record is one rendered log record.
type record struct {
	at   time.Time
	data []byte
}

type renderer interface {
	// step renders one step; it returns the records, the operation key of
	// the call and its resource id ("" when the step logs nothing).
	step(s Scenario, i int, st Step, at time.Time) ([]record, string, string)
	write(dir string, recs []record) ([]string, error)
}

var renderers = map[model.Cloud]renderer{model.AWS: awsRenderer{}, model.Azure: azureRenderer{}, model.GCP: gcpRenderer{}}

// id derives a stable hex id from parts.
func id(n int, parts ...any) string {
	h := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return hex.EncodeToString(h[:])[:n]
}

func uuid(parts ...any) string {
	h := id(32, parts...)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of plain values are marshalled here
	}
	return b
}

func writeGzip(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func writePlain(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func jsonLines(recs []record) []byte {
	var b bytes.Buffer
	for _, r := range recs {
		b.Write(r.data)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// peerOf is the step's peer, 0.0.0.0/0 when unset.
func peerOf(st Step) string {
	if st.Peer == "" {
		return "0.0.0.0/0"
	}
	return st.Peer
}

func target(st Step) string {
	if st.Target == "" {
		return "a"
	}
	return st.Target
}

// Attacker, engineer and pipeline addresses: documentation ranges, plus a
// known Tor exit-like address for the stolen pipeline credential. A
// stolen engineer credential is used from the attacker's address.
var callerIP = map[string]string{"attacker": "198.51.100.77", "engineer": "192.0.2.10", "engineer-stolen": "198.51.100.77", "terraform": "34.201.10.20", "terraform-stolen": "185.220.101.9"}

func portText(p int) string {
	if p == 0 {
		return "*"
	}
	return fmt.Sprint(p)
}

func ruleName(st Step) string {
	dir := "in"
	if st.Action == OpenEgress {
		dir = "out"
	}
	return strings.ToLower(fmt.Sprintf("allow-%s-%s-%s", dir, strings.ReplaceAll(portText(st.Port), "*", "all"), target(st)))
}

// jsonRaw keeps a rendered record as it is inside a wrapper.
type jsonRaw = json.RawMessage
