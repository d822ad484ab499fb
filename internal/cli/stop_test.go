package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// TestStopCuttingTheOutputSaysSo: a stop while findings ranked on disk
// are written ends the writing (reading them back is most of the time
// a large scan's output takes), and stderr says how many of them the
// output holds: the summary counts all, and said they were reported.
func TestStopCuttingTheOutputSaysSo(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 100 { // more than the 64 written between looks at the stop
		lines = append(lines, fmt.Sprintf(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-01T00:%02d:00Z","eventID":"e%d","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"groupId":"sg-%d","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`, i%60, i, i))
	}
	if err := os.WriteFile(filepath.Join(dir, "trail.json"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "csv", "ocsf"} { // streamed as read back
		ctx, cancel := context.WithCancelCause(context.Background())
		out := &stopOnWrite{stop: cancel}
		var stderr bytes.Buffer
		code := Run(ctx, []string{"scan", "--no-store", "--no-correlate", "--format", format, "--max-held", "10", dir}, strings.NewReader(""), out, &stderr)
		cancel(nil)
		if want := 128 + int(syscall.SIGTERM); code != want {
			t.Errorf("%s: exit %d, want %d", format, code, want)
		}
		if !strings.Contains(stderr.String(), "the stop ended the writing of the findings ranked on disk: ") || !strings.Contains(stderr.String(), " of 100 written") {
			t.Errorf("%s: stderr does not say how many findings were written:\n%s", format, stderr.String())
		}
	}
}
