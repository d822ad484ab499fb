package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// blockingReader blocks its first Read until release is closed, like a
// terminal nobody types into; started is closed when that Read begins.
type blockingReader struct {
	started, release chan struct{}
	once             sync.Once
}

func (b *blockingReader) Read([]byte) (int, error) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return 0, io.EOF
}

// endlessValue is one JSON value that never ends: `{"eventName":"xxxx…`.
type endlessValue struct {
	head    string
	started chan struct{}
	once    sync.Once
	reads   atomic.Int64
}

func (e *endlessValue) Read(p []byte) (int, error) {
	e.once.Do(func() { close(e.started) })
	e.reads.Add(1)
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = 'x'
	}
	return len(p), nil
}

// TestStopIsPrompt checks that a cancelled scan returns within a second
// wherever its workers are, and keeps what was found before the stop.
func TestStopIsPrompt(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	files, err := ingest.Expand(context.Background(), []string{"../../testdata/samples/aws"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input func(started chan struct{}, release chan struct{}) ingest.Input
	}{
		{"read blocked in a system call", func(started, release chan struct{}) ingest.Input {
			return ingest.ReaderInput("tty", &blockingReader{started: started, release: release})
		}},
		{"inside one endless value", func(started, _ chan struct{}) ingest.Input {
			return ingest.ReaderInput("endless", &endlessValue{head: `{"eventName":"`, started: started})
		}},
	}
	t.Run("the worker inside an endless value stops reading", func(t *testing.T) {
		ev := &endlessValue{head: `{"eventName":"`, started: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, _ = Scan(ctx, []ingest.Input{ingest.ReaderInput("endless", ev)}, Options{Workers: 1, Content: c})
		}()
		<-ev.started
		cancel()
		<-done
		time.Sleep(StopGrace + 100*time.Millisecond)
		n := ev.reads.Load()
		time.Sleep(200 * time.Millisecond)
		if m := ev.reads.Load(); m != n {
			t.Errorf("the abandoned worker is still reading the stopped input (%d more reads)", m-n)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			started, release := make(chan struct{}), make(chan struct{})
			defer close(release)
			// One worker reads the samples first, then the stuck input.
			inputs := append(append([]ingest.Input{}, files...), tt.input(started, release))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type ret struct {
				res Result
				err error
			}
			done := make(chan ret, 1)
			go func() {
				res, err := Scan(ctx, inputs, Options{Workers: 1, Content: c})
				done <- ret{res, err}
			}()
			select {
			case <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the stuck input was never reached")
			}
			stop := time.Now()
			cancel()
			var r ret
			select {
			case r = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("scan did not return within 5 s of the stop")
			}
			if took := time.Since(stop); took > time.Second {
				t.Errorf("scan returned %v after the stop, want under 1 s", took)
			}
			if r.err != nil {
				t.Fatalf("an interrupted scan returns what it found, got error %v", r.err)
			}
			sum := r.res.Summary
			if !sum.Interrupted {
				t.Error("Summary.Interrupted not set")
			}
			if sum.Files < int64(len(files)) || len(r.res.Findings) == 0 {
				t.Errorf("findings from inputs read before the stop are lost: %d files counted, %d findings", sum.Files, len(r.res.Findings))
			}
			if len(r.res.Findings) > 0 && !strings.HasPrefix(r.res.Findings[0].Event.File, "../../testdata/samples/aws") {
				t.Errorf("unexpected finding source %s", r.res.Findings[0].Event.File)
			}
		})
	}
}

// TestCompletedScanIsNotInterrupted guards the flag's meaning.
func TestCompletedScanIsNotInterrupted(t *testing.T) {
	res := scan(t, []string{"../../testdata/samples"}, Options{})
	if res.Summary.Interrupted {
		t.Error("a scan that read everything says it was interrupted")
	}
}

// cancelAtEOF is an input that stops the scan when it has been read to
// the end: the stop reaches the stages after reading.
type cancelAtEOF struct {
	r       io.Reader
	cancel  context.CancelFunc
	stopped time.Time
}

func (c *cancelAtEOF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF && c.stopped.IsZero() {
		c.stopped = time.Now()
		c.cancel()
	}
	return n, err
}

// TestStopAfterReading checks that a stop reaching the stages after
// reading (fold and rank on disk, detection, state replay, correlations)
// ends the scan about as fast as one during reading, as interrupted, with
// the findings ranked by then: those stages took tens of seconds on a
// large input and never looked at the context.
func TestStopAfterReading(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	var aws map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &aws); err != nil {
		t.Fatal(err)
	}
	// Operations on distinct security groups, far more than --max-held:
	// every stage after reading runs on disk.
	const n = 6000
	var buf bytes.Buffer
	t0 := time.Date(2022, 6, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		r := clone(t, aws)
		r["eventID"] = fmt.Sprintf("stop-%d", i)
		r["eventTime"] = t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		r["requestParameters"].(map[string]any)["groupId"] = fmt.Sprintf("sg-%08d", i)
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
	}
	tests := []struct {
		name string
		// stop returns the input and options that stop the scan, and
		// when they did.
		stop func(cancel context.CancelFunc) (ingest.Input, Options, func() time.Time)
	}{
		{"at the end of the input", func(cancel context.CancelFunc) (ingest.Input, Options, func() time.Time) {
			in := &cancelAtEOF{r: bytes.NewReader(buf.Bytes()), cancel: cancel}
			return ingest.ReaderInput("generated", in), Options{}, func() time.Time { return in.stopped }
		}},
		{"while the first findings are enriched", func(cancel context.CancelFunc) (ingest.Input, Options, func() time.Time) {
			var stopped time.Time
			enrich := func(context.Context, []model.Finding, *model.Summary) error {
				if stopped.IsZero() {
					stopped = time.Now()
					cancel()
				}
				return nil
			}
			return ingest.ReaderInput("generated", bytes.NewReader(buf.Bytes())), Options{Enrich: enrich}, func() time.Time { return stopped }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			in, opts, stopped := tt.stop(cancel)
			opts.Workers, opts.Content, opts.MaxHeld = 1, c, 100
			res, err := Scan(ctx, []ingest.Input{in}, opts)
			if err != nil {
				t.Fatalf("an interrupted scan returns what it found, got error %v", err)
			}
			defer res.Close()
			if stopped().IsZero() {
				t.Fatal("the scan was never stopped")
			}
			if took, limit := time.Since(stopped()), StopGrace+StopBudget+time.Second; took > limit {
				t.Errorf("scan returned %v after the stop, want under %v", took, limit)
			}
			if !res.Summary.Interrupted {
				t.Error("Summary.Interrupted not set: the exit status would say the scan completed")
			}
			var shown int64
			if err := res.EachFinding(func(model.Finding) error { shown++; return nil }); err != nil {
				t.Fatal(err)
			}
			var counted int64
			for _, k := range res.Summary.Findings {
				counted += k
			}
			if shown != counted {
				t.Errorf("the summary counts %d findings, %d are reported", counted, shown)
			}
		})
	}
}
