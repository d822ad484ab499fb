package pipeline

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
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
