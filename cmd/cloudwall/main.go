// Command cloudwall finds cloud firewall tampering in AWS, Azure and GCP
// audit logs. See the README for usage.
package main

import (
	"context"
	"os"
	"runtime/debug"

	"cloudwall/internal/cli"
)

func main() {
	// A crash of the Go runtime (out of memory, an unrecovered panic in a
	// goroutine) would otherwise exit 2, the usage-error status: end it by
	// SIGABRT instead (status 134 in a shell), after the same report.
	debug.SetTraceback("crash")
	ctx, stop := cli.WithSignals(context.Background())
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
