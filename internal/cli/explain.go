package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"cloudwall/internal/audit"
	"cloudwall/internal/content"
	"cloudwall/internal/guide"
)

// newExplainCommand prints one rule's guide.
func newExplainCommand(stdout io.Writer) *cobra.Command {
	var contentPaths []string
	cmd := &cobra.Command{
		Use:   "explain RULE",
		Short: "Print one rule in full: what it detects, fields, severity with examples, investigation, response, tuning, references",
		Example: `  cloudwall explain aws-sg-ingress-change
  cloudwall rules                      # every rule id`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("explain takes one rule id (see cloudwall rules)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := content.Load(nil, contentPaths...)
			if err != nil {
				return err
			}
			id := strings.ToLower(strings.TrimSpace(args[0]))
			if r, ok := postureRule(id); ok {
				return guide.PosturePage(stdout, r)
			}
			if cr, ok := c.Correlation(id); ok {
				return guide.CorrelationPage(stdout, cr)
			}
			i := slices.IndexFunc(c.Operations, func(op content.Operation) bool { return op.ID == id })
			if i < 0 {
				return usagef("no rule %q (cloudwall rules lists them)", args[0])
			}
			return guide.Page(stdout, c, &c.Operations[i])
		},
	}
	cmd.Flags().StringArrayVar(&contentPaths, "content", nil, "YAML file extending or overriding the detection content, as for scan; repeatable")
	return cmd
}

// newDocsCommand writes every rule's guide as Markdown pages.
func newDocsCommand(stdout io.Writer) *cobra.Command {
	var out string
	var check bool
	cmd := &cobra.Command{
		Use:   "docs --out DIR",
		Short: "Write the whole rule catalogue as Markdown pages (index.md and one page per rule)",
		Example: `  cloudwall docs --out docs/rules
  cloudwall docs --out docs/rules --check   # exit 1 when the committed pages are stale`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usagef("docs needs --out DIR")
			}
			c, err := content.Default()
			if err != nil {
				return err
			}
			pages, err := renderDocs(c)
			if err != nil {
				return err
			}
			if check {
				stale := staleDocs(out, pages)
				if len(stale) > 0 {
					return fmt.Errorf("docs in %s are stale (run cloudwall docs --out %s): %s", out, out, strings.Join(stale, ", "))
				}
				fmt.Fprintf(stdout, "%d pages in %s are up to date\n", len(pages), out)
				return nil
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			for name, b := range pages {
				if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(stdout, "wrote %d pages to %s\n", len(pages), out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the pages to")
	cmd.Flags().BoolVar(&check, "check", false, "compare with the pages in --out instead of writing them")
	return cmd
}

// renderDocs renders every page by file name.
func renderDocs(c *content.Content) (map[string][]byte, error) {
	pages := map[string][]byte{}
	var b bytes.Buffer
	if err := guide.Index(&b, c.Operations); err != nil {
		return nil, err
	}
	if err := guide.PostureIndex(&b, postureRules()); err != nil {
		return nil, err
	}
	if err := guide.CorrelationIndex(&b, c.Correlations); err != nil {
		return nil, err
	}
	pages["index.md"] = slices.Clone(b.Bytes())
	for _, r := range postureRules() {
		b.Reset()
		if err := guide.PosturePage(&b, r); err != nil {
			return nil, err
		}
		pages[r.ID+".md"] = slices.Clone(b.Bytes())
	}
	for i := range c.Correlations {
		b.Reset()
		if err := guide.CorrelationPage(&b, &c.Correlations[i]); err != nil {
			return nil, err
		}
		pages[c.Correlations[i].ID+".md"] = slices.Clone(b.Bytes())
	}
	for i := range c.Operations {
		b.Reset()
		if err := guide.Page(&b, c, &c.Operations[i]); err != nil {
			return nil, err
		}
		pages[c.Operations[i].ID+".md"] = slices.Clone(b.Bytes())
	}
	return pages, nil
}

// staleDocs lists the pages that differ from dir's, and the files in dir
// that no rule has any more.
func staleDocs(dir string, pages map[string][]byte) []string {
	var stale []string
	for name, want := range pages {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || !bytes.Equal(got, want) {
			stale = append(stale, name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := pages[e.Name()]; !ok && strings.HasSuffix(e.Name(), ".md") {
			stale = append(stale, e.Name()+" (no such rule)")
		}
	}
	slices.Sort(stale)
	return stale
}

// postureRules are the audit and diff rules as the guide describes them.
func postureRules() []guide.Posture {
	var out []guide.Posture
	for _, r := range audit.Rules() {
		g := audit.Guidance(r.ID)
		out = append(out, guide.Posture{ID: r.ID, Command: r.Command(), Description: r.Description, Severity: r.Severity,
			Investigate: g.Investigate, Respond: g.Respond})
	}
	return out
}

func postureRule(id string) (guide.Posture, bool) {
	for _, r := range postureRules() {
		if r.ID == id {
			return r, true
		}
	}
	return guide.Posture{}, false
}

// catalogueGuide returns what the markdown report uses to append each
// rule's guide: the same page `cloudwall explain` prints. A rule the
// catalogue does not hold gets none.
func catalogueGuide(c *content.Content) func(io.Writer, string) error {
	return func(w io.Writer, rule string) error {
		if cr, ok := c.Correlation(rule); ok {
			return guide.CorrelationPage(w, cr)
		}
		i := slices.IndexFunc(c.Operations, func(op content.Operation) bool { return op.ID == rule })
		if i < 0 {
			return nil
		}
		return guide.Page(w, c, &c.Operations[i])
	}
}
