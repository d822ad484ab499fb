package normalize

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/simulate"
)

// newContextPrefilter is the scan's prefilter with correlations on.
func newContextPrefilter(t testing.TB) *Prefilter {
	t.Helper()
	context, ok := AnchorsFor(correlate.ContextAnchors())
	if !ok {
		t.Fatal("a context operation is too short to anchor on")
	}
	p, err := NewPrefilter(testAnchors(t), context...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrefilterMatch(t *testing.T) {
	p := newContextPrefilter(t)
	pad := strings.Repeat(`"x":"yyyyyyyy",`, 40)
	tests := []struct {
		rec  string
		want Match
	}{
		{`{"eventName":"DescribeSecurityGroups","eventSource":"ec2.amazonaws.com"}`, Context},
		{`{"eventName":"GetCallerIdentity"}`, Context},
		{`{"errorCode":"AccessDenied","eventName":"ListBuckets"}`, Context},
		{`{"eventName":"AuthorizeSecurityGroupIngress"}`, Full},
		// A context name first and a firewall operation far later: the
		// whole record is searched, so it is read in full.
		{`{"eventName":"DescribeSecurityGroups",` + pad + `"errorMessage":"not authorized to perform ec2:AuthorizeSecurityGroupIngress"}`, Full},
		{`{"errorCode":"AccessDenied",` + pad + `"eventName":"RevokeSecurityGroupIngress"}`, Full},
		// What the search cannot see through is read in full.
		{`{"eventName":"DescribeSecurityGroups","n":"\u0041"}`, Full},
		{`{"eventName":"DescribeSecurityGroups","n":"` + "\u212a" + `"}`, Full},
		{`{"message":{"data":"eyJ9"},"subscription":"s","eventName":"GetCallerIdentity"}`, Full},
		{`{"eventName":"AssumeRole"}`, Drop},
	}
	for _, tt := range tests {
		if got := p.Match([]byte(tt.rec)); got != tt.want {
			t.Errorf("Match(%.80s) = %v, want %v", tt.rec, got, tt.want)
		}
	}
}

// TestContextReadSameAsFull: every record the prefilter reads lean
// (decoded without its bodies, or read in place) gives the same result
// as when read in full, so leaving the bodies out never changes an event.
// The records: the parsers' fixtures, the shared samples and a generated
// corpus of the three clouds. They are read as the scan reads them, one
// event's array reused for the next (ParseInto), so nothing of an event
// is left over in the next.
func TestContextReadSameAsFull(t *testing.T) {
	p := newContextPrefilter(t)
	lean := map[model.Cloud]int{}
	inPlace := map[model.Cloud]int{}
	var scratch []model.Event
	eachTestRecord(t, func(raw []byte, src model.SourceRef) {
		if p.Match(raw) != Context {
			return
		}
		got, want := ParseInto(scratch, raw, src, p), Parse(raw, src, nil)
		scratch = got.Events
		if got, want := contextView(got), contextView(want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s record %d: read lean\n%+v\nin full\n%+v", src.File, src.Index, got, want)
		}
		if res, ok := parseInPlace(nil, raw, src); ok {
			for _, ev := range res.Events {
				inPlace[ev.Cloud]++
			}
		}
		for _, ev := range got.Events {
			lean[ev.Cloud]++
		}
	})
	for _, c := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if lean[c] < 20 {
			t.Errorf("only %d %s records read lean: the test checks too little", lean[c], c)
		}
	}
	for _, c := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if inPlace[c] < lean[c]/2 {
			t.Errorf("only %d of %d %s records read in place: the test checks too little", inPlace[c], lean[c], c)
		}
	}
	t.Logf("records read lean, each the same as in full: %v; in place: %v", lean, inPlace)
}

// TestInPlaceSameAsDecoded: whatever record parseInPlace reads, context
// or not, it reads as dispatch reads the record decoded without its
// bodies (DecodeLean), which is what Parse does with a context record
// that is not read in place. This holds the AWS, GCP and Azure parsers'
// readings of an Object to their readings of a map on every record of
// the fixtures, the shared samples and a generated corpus.
func TestInPlaceSameAsDecoded(t *testing.T) {
	read := map[model.Cloud]int{}
	eachTestRecord(t, func(raw []byte, src model.SourceRef) {
		got, ok := parseInPlace(nil, raw, src)
		if !ok {
			return
		}
		v, conflicts, _, err := decodeContext(raw)
		if err != nil || len(conflicts) > 0 {
			t.Errorf("%s record %d: read in place, but decoded with error %v, conflicts %v", src.File, src.Index, err, conflicts)
			return
		}
		if got, want := contextView(got), contextView(dispatch(v, src, 0)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s record %d: read in place\n%+v\ndecoded\n%+v", src.File, src.Index, got, want)
		}
		for _, ev := range got.Events {
			read[ev.Cloud]++
		}
	})
	for _, c := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if read[c] < 100 {
			t.Errorf("only %d %s records read in place: the test checks too little", read[c], c)
		}
	}
	t.Logf("records read in place, each the same as decoded: %v", read)
}

// contextView is what a scan may read of a context record: read in
// place, an AWS record leaves out its region, source address, user agent
// and event id (aws.ParseInPlace), which no context correlation reads, and
// of a principal that names itself, all but its name, access key and
// session. The
// pipeline's contextBuffer.add keeps none of them.
func contextView(res Result) Result {
	res.Events = slices.Clone(res.Events)
	for i := range res.Events {
		if ev := &res.Events[i]; ev.Cloud == model.AWS {
			ev.Region, ev.SourceIP, ev.UserAgent, ev.EventID, ev.OperationID = "", "", "", "", ""
			if a := ev.Actor; a.ID != "" {
				// What names the actor and its session to the correlations
				// (correlate.ContextKey, SessionOf); the rest is read only
				// when no principal names the actor.
				ev.Actor = model.Actor{ID: a.ID, AccessKey: a.AccessKey, Session: a.Session}
			}
		}
	}
	return res
}

// eachTestRecord calls fn with each record of the parsers' fixtures, the
// shared samples and a generated corpus of the three clouds.
func eachTestRecord(t *testing.T, fn func(raw []byte, src model.SourceRef)) {
	t.Helper()
	corpus := t.TempDir()
	if _, err := simulate.GenerateCorpus(context.Background(), corpus, simulate.CorpusOptions{Size: 4 << 20, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, g := range []string{"testdata/*", "*/testdata/*.json", "*/testdata/*.jsonl", sharedData("*/*")} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	filepath.WalkDir(corpus, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
		}
		s := newSplitterSize(bytes.NewReader(b), 1<<20)
		for {
			rec, err := s.Next()
			if errors.Is(err, io.EOF) || err != nil && !isRecordError(err) {
				break
			}
			if err == nil {
				fn(rec.Data, model.SourceRef{File: f, Index: rec.Index})
			}
		}
	}
}

func isRecordError(err error) bool {
	var re *RecordError
	return errors.As(err, &re)
}

// contextRecords are the records of a generated corpus of the three
// clouds that the scan's prefilter sorts as context.
func contextRecords(b *testing.B) [][]byte {
	b.Helper()
	p := newContextPrefilter(b)
	dir := b.TempDir()
	if _, err := simulate.GenerateCorpus(context.Background(), dir, simulate.CorpusOptions{Size: 16 << 20, Seed: 5}); err != nil {
		b.Fatal(err)
	}
	var recs [][]byte
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		if zr, err := gzip.NewReader(bytes.NewReader(data)); err == nil {
			if data, err = io.ReadAll(zr); err != nil {
				return nil
			}
		}
		s := NewSplitter(bytes.NewReader(data))
		for {
			rec, err := s.Next()
			if errors.Is(err, io.EOF) || err != nil && !isRecordError(err) {
				return nil
			}
			if err == nil && p.Match(rec.Data) == Context {
				recs = append(recs, bytes.Clone(rec.Data))
			}
		}
	})
	if len(recs) == 0 {
		b.Fatal("no context records in the generated corpus")
	}
	return recs
}

// BenchmarkParseContext measures reading the records kept only for the
// context correlations, per cloud: what correlations add to a scan's
// parse.
func BenchmarkParseContext(b *testing.B) {
	p := newContextPrefilter(b)
	byCloud := map[model.Cloud][][]byte{}
	for _, r := range contextRecords(b) {
		for _, ev := range Parse(r, model.SourceRef{}, nil).Events {
			byCloud[ev.Cloud] = append(byCloud[ev.Cloud], r)
			break
		}
	}
	for _, c := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		recs := byCloud[c]
		b.Run(string(c), func(b *testing.B) {
			if len(recs) == 0 {
				b.Skip("no records")
			}
			var n int64
			for _, r := range recs {
				n += int64(len(r))
			}
			b.SetBytes(n / int64(len(recs)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				Parse(recs[i%len(recs)], model.SourceRef{File: "f", Index: int64(i)}, p)
				i++
			}
		})
	}
}
