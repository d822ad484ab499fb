// Command cloudwall finds cloud firewall tampering in AWS, Azure and GCP
// audit logs. See the README for usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"cloudwall/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
