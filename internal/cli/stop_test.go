package cli

import (
	"bytes"
	"context"
	"strings"
	"syscall"
	"testing"
)

// stopOnWrite is stdout that sends the stop (SIGTERM's cause) at the
// first finding written: the scan is over, its output under way.
type stopOnWrite struct {
	bytes.Buffer
	stop context.CancelCauseFunc
}

func (w *stopOnWrite) Write(p []byte) (int, error) {
	w.stop(&Interrupted{Signal: syscall.SIGTERM})
	return w.Buffer.Write(p)
}

// TestStopWhileWritingSaysSo: a stop that comes after the scan returned,
// while its findings are written, still ends the run as stopped (143,
// "interrupted" on stderr): the status never says a stopped run completed.
func TestStopWhileWritingSaysSo(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"in memory", []string{"--format", "json"}},
		{"ranked on disk, streamed", []string{"--format", "jsonl", "--max-held", "1"}},
		{"ranked on disk, read back", []string{"--format", "json", "--max-held", "1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			out := &stopOnWrite{stop: cancel}
			var stderr bytes.Buffer
			args := append([]string{"scan", "--no-store"}, append(tt.args, samples)...)
			code := Run(ctx, args, strings.NewReader(""), out, &stderr)
			if want := 128 + int(syscall.SIGTERM); code != want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, want, stderr.String())
			}
			if !strings.Contains(stderr.String(), "scan interrupted by SIGTERM") {
				t.Errorf("stderr does not say the scan was interrupted:\n%s", stderr.String())
			}
			if out.Len() == 0 {
				t.Error("nothing written: the findings of the scan are lost")
			}
		})
	}
}
