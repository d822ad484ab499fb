// Command cloudwall finds cloud firewall tampering in AWS, Azure and GCP
// audit logs. See the README for usage.
package main

import (
	"context"
	"os"

	"cloudwall/internal/cli"
)

func main() {
	ctx, stop := cli.WithSignals(context.Background())
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
