package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// newRulesCommand lists the operation catalogue: what cloudwall treats as
// a firewall operation, under which rule id, and how it judges it.
func newRulesCommand(stdout io.Writer) *cobra.Command {
	var (
		contentPaths []string
		clouds       []string
		asJSON       bool
	)
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the detection rules: every firewall operation cloudwall knows, per cloud",
		Long: `rules prints the operation catalogue that scan uses: one line per rule with
its cloud, kind, base severity and the operations (as logged, lower case) it
covers. With --content, user files are merged first, as scan does, so the
listing shows what a scan with the same flags would use.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			want, err := parseClouds(clouds)
			if err != nil {
				return err
			}
			c, err := content.Load(nil, contentPaths...)
			if err != nil {
				return err
			}
			var ops []content.Operation
			for _, op := range c.Operations {
				if len(want) == 0 || slices.Contains(want, op.Cloud) {
					ops = append(ops, op)
				}
			}
			if asJSON {
				if err := writeRulesJSON(stdout, ops, c.Correlations); err != nil {
					return err
				}
				return writePostureJSON(stdout)
			}
			if err := writeRulesTable(stdout, ops, c.Correlations); err != nil {
				return err
			}
			return writePostureTable(stdout)
		},
	}
	cmd.Flags().StringArrayVar(&contentPaths, "content", nil, "YAML file extending or overriding the detection content, as for scan; repeatable")
	cmd.Flags().StringSliceVar(&clouds, "cloud", nil, "only these clouds: aws, azure, gcp")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON lines instead of a table")
	completeValues(cmd, "cloud", cloudNames...)
	return cmd
}

func writeRulesTable(w io.Writer, ops []content.Operation, crs []content.Correlation) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCLOUD\tKIND\tBASE\tOPERATIONS")
	for _, op := range ops {
		base := op.Severity.String()
		if op.Kind == content.KindRemove {
			base = "-" // judged by what the removed rule did, never by a base
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", op.ID, op.Cloud, op.Kind, base, strings.Join(op.Keys, ", "))
	}
	for _, cr := range crs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cr.ID, "any", "correlation", cr.Severity, "(links findings) "+cr.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d rules covering %d operations, and %d correlations\n", len(ops), countKeys(ops), len(crs))
	return err
}

func writeRulesJSON(w io.Writer, ops []content.Operation, crs []content.Correlation) error {
	type rule struct {
		ID          string         `json:"id"`
		Cloud       string         `json:"cloud"`
		Kind        string         `json:"kind"`
		Severity    model.Severity `json:"base_severity"`
		Resource    string         `json:"resource,omitempty"`
		Operations  []string       `json:"operations,omitempty"`
		Description string         `json:"description"`
		Origin      string         `json:"origin"`
	}
	enc := json.NewEncoder(w)
	for _, op := range ops {
		if err := enc.Encode(rule{op.ID, string(op.Cloud), string(op.Kind), op.Severity, op.Resource, op.Keys, op.Description, op.Origin}); err != nil {
			return err
		}
	}
	for _, cr := range crs {
		if err := enc.Encode(rule{cr.ID, "any", "correlation", cr.Severity, "", nil, cr.Description, cr.Origin}); err != nil {
			return err
		}
	}
	return nil
}

// writePostureTable lists the audit and diff rules, which apply to every
// cloud's snapshots.
func writePostureTable(w io.Writer) error {
	rules := postureRules()
	fmt.Fprintln(w, "\nSnapshot rules (cloudwall audit, cloudwall diff; every cloud):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCOMMAND\tUSUAL\tWHAT")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Command, r.Severity, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d snapshot rules; cloudwall explain RULE for any of them\n", len(rules))
	return err
}

func writePostureJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, r := range postureRules() {
		err := enc.Encode(struct {
			ID          string         `json:"id"`
			Cloud       string         `json:"cloud"`
			Kind        string         `json:"kind"`
			Severity    model.Severity `json:"base_severity"`
			Command     string         `json:"command"`
			Description string         `json:"description"`
		}{r.ID, "any", "posture", r.Severity, r.Command, r.Description})
		if err != nil {
			return err
		}
	}
	return nil
}

func countKeys(ops []content.Operation) int {
	n := 0
	for _, op := range ops {
		n += len(op.Keys)
	}
	return n
}
