// Package cli holds cloudwall's commands. It is the composition root: it
// turns flags into options, wires the stages together through package
// pipeline, and maps outcomes to exit codes in one place.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README. A scan stopped by a signal
// exits 128 + the signal's number (130 SIGINT, 143 SIGTERM).
const (
	ExitOK       = 0 // the command completed (a scan with no finding at or above --fail-on)
	ExitError    = 1 // the command could not run
	ExitUsage    = 2 // bad flags or arguments, only (a crash of the Go runtime ends by SIGABRT: see cmd/cloudwall)
	ExitFindings = 3 // scan --fail-on matched a finding
	ExitNoInput  = 4 // scan read nothing: no file, or not one readable record
)

// usageError marks errors that are the caller's, not the tool's.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// Outcomes a command has already explained on stderr; Run maps them to
// their exit codes.
var (
	errFindings    = errors.New("findings at or above the --fail-on severity")
	errNothingRead = errors.New("nothing was read")
	errInterrupted = errors.New("interrupted")
)

// Run executes cloudwall with args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	// Errors before any command's hooks run come from cobra itself:
	// flag parsing, argument validation, an unknown command. Those, and
	// errors a command marks with usagef, are usage errors; nothing else
	// is, so a failure mid-scan never reads as the caller's mistake.
	started := false
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	defer func() {
		// A bug must not pass for a usage error (the runtime's own
		// panic exit status is 2): report it as a failure to run.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "cloudwall: internal error (please report): %v\n%s", r, debug.Stack())
			code = ExitError
		}
	}()
	err := root.ExecuteContext(ctx)
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFindings):
		return ExitFindings
	case errors.Is(err, errNothingRead):
		return ExitNoInput
	case errors.As(err, &ue), !started:
		fmt.Fprintf(stderr, "cloudwall: error: %v\ncloudwall: hint: run 'cloudwall %s --help' for usage\n", err, commandName(root, args))
		return ExitUsage
	}
	if in, ok := interruption(ctx); ok {
		if !errors.Is(err, errInterrupted) {
			fmt.Fprintf(stderr, "cloudwall: %v before the scan started\n", in)
		}
		return in.ExitCode()
	}
	fmt.Fprintf(stderr, "cloudwall: error: %v\n", err)
	return ExitError
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "cloudwall",
		Short: "Find cloud firewall tampering in AWS, Azure and GCP audit logs",
		Long: `cloudwall reads AWS CloudTrail, Azure Activity Log and GCP Cloud Audit Logs and
reports every change that weakened a cloud firewall (MITRE ATT&CK T1562.007,
T1686.001), ranked by what it exposes: who can now reach which ports, who
made the change, from where, and what to do next.`,
		Version:       currentVersion().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newScanCommand(stdin, stdout, stderr), newTimelineCommand(stdin, stdout, stderr), newRulesCommand(stdout), newVersionCommand(stdout),
		newAuditCommand(stdin, stdout, stderr), newDiffCommand(stdout, stderr),
		newExplainCommand(stdout), newDocsCommand(stdout), newSimulateCommand(stdout), newExportCommand(stdout),
		newLearnCommand(stdin, stdout, stderr))
	return root
}

func commandName(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != root {
		return c.Name()
	}
	return ""
}
