package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"cloudwall/internal/content"
	"cloudwall/internal/export"
)

// newExportCommand writes the catalogue's rules as SIEM queries.
func newExportCommand(stdout io.Writer) *cobra.Command {
	var (
		targetName, rule, out string
		contentPaths          []string
	)
	cmd := &cobra.Command{
		Use:   "export --target TARGET [--rule ID] [--out DIR]",
		Short: "Write the rules as hunting and alerting queries: " + strings.Join(export.Targets(), ", "),
		Example: `  cloudwall export --target sigma --rule aws-sg-ingress-change
  cloudwall export --target all --out docs/export   # DIR/<target>/..., with an index per target`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			name := strings.ToLower(strings.TrimSpace(targetName))
			names := export.Targets()
			switch {
			case name == "all":
			case name == "":
				return usagef("export needs --target (%s or all)", strings.Join(names, ", "))
			case !slices.Contains(names, name):
				return usagef("--target %q: want one of %s, or all", targetName, strings.Join(names, ", "))
			default:
				names = []string{name}
			}
			c, err := content.Load(nil, contentPaths...)
			if err != nil {
				return err
			}
			id := strings.ToLower(strings.TrimSpace(rule))
			if id != "" && !slices.ContainsFunc(c.Operations, func(op content.Operation) bool { return op.ID == id }) {
				return usagef("no rule %q (cloudwall rules lists them)", rule)
			}
			for _, n := range names {
				files, err := export.Generate(c, n, id)
				if err != nil {
					return err
				}
				if out == "" {
					for _, f := range files {
						if f.Name != "README.md" {
							fmt.Fprintf(stdout, "==> %s/%s <==\n%s\n", n, f.Name, f.Data)
						}
					}
					continue
				}
				if err := writeExport(filepath.Join(out, n), files); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "wrote %d files to %s\n", len(files), filepath.Join(out, n))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&targetName, "target", "", "query language: "+strings.Join(export.Targets(), ", ")+", or all")
	cmd.Flags().StringVar(&rule, "rule", "", "export only this rule id (default: every rule)")
	cmd.Flags().StringVar(&out, "out", "", "write DIR/<target>/ files instead of printing the queries")
	cmd.Flags().StringArrayVar(&contentPaths, "content", nil, "YAML file extending or overriding the detection content, as for scan; repeatable")
	completeValues(cmd, "target", append(export.Targets(), "all")...)
	return cmd
}

// writeExport writes one target's files under dir.
func writeExport(dir string, files []export.File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
