// Package cli holds cloudwall's commands. It is the composition root: it
// turns flags into options, wires the stages together through package
// pipeline, and maps outcomes to exit codes in one place.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README.
const (
	ExitOK       = 0 // the command completed (a scan with no finding at or above --fail-on)
	ExitError    = 1 // the command could not run
	ExitUsage    = 2 // bad flags or arguments
	ExitFindings = 3 // scan --fail-on matched a finding
)

// usageError marks errors that are the caller's, not the tool's.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// errFindings is returned by scan when --fail-on matched.
var errFindings = errors.New("findings at or above the --fail-on severity")

// Run executes cloudwall with args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errFindings):
		return ExitFindings
	case errors.As(err, &ue), isCobraUsage(err):
		fmt.Fprintf(stderr, "cloudwall: error: %v\ncloudwall: hint: run 'cloudwall %s --help' for usage\n", err, commandName(root, args))
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "cloudwall: error: %v\n", err)
		return ExitError
	}
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
	root.AddCommand(newScanCommand(stdin, stdout, stderr), newRulesCommand(stdout), newVersionCommand(stdout))
	return root
}

// isCobraUsage recognises cobra's own argument errors (unknown command).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func commandName(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != root {
		return c.Name()
	}
	return ""
}
