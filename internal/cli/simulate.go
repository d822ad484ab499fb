package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"cloudwall/internal/attack"
	"cloudwall/internal/model"
)

// newSimulateCommand writes named attack scenarios as native audit logs,
// or prints the commands that would detonate them in a sandbox.
func newSimulateCommand(stdout io.Writer) *cobra.Command {
	var (
		list, printCmds bool
		clouds          []string
		out             string
	)
	cmd := &cobra.Command{
		Use:   "simulate [SCENARIO] [--cloud aws|azure|gcp] (--out DIR | --print-commands) | --list",
		Short: "Write a named attack scenario as each cloud's audit logs, or print the commands that would detonate it",
		Long: `simulate writes realistic audit logs (and flow logs where the story has traffic)
of a named firewall-tampering scenario in each cloud's native format and
layout, with the benign activity around it, so a scan (or your SIEM) can be
tested on it. --print-commands prints instead the aws/az/gcloud commands that
would detonate the same story in a sandbox account, with its setup and
cleanup and the Stratus Red Team technique where one exists. cloudwall never
runs these commands.`,
		Example: `  cloudwall simulate --list
  cloudwall simulate world-open-admin --cloud aws --out /tmp/sim && cloudwall scan /tmp/sim/aws
  cloudwall simulate opening-used --out /tmp/sim && cloudwall scan --flows /tmp/sim/gcp/flows /tmp/sim/gcp
  cloudwall simulate mass-backdoor --cloud gcp --print-commands`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list {
				if len(args) > 0 {
					return usagef("--list takes no scenario")
				}
				return listScenarios(stdout)
			}
			if len(args) != 1 {
				return usagef("simulate needs one SCENARIO (see --list)")
			}
			s, err := attack.Find(args[0])
			if err != nil {
				return usagef("%v", err)
			}
			want, err := parseClouds(clouds)
			if err != nil {
				return err
			}
			if len(want) == 0 {
				want = s.Clouds
			}
			for _, c := range want {
				if !s.Supports(c) {
					return usagef("scenario %s does not exist for %s (it does for %s)", s.Name, c, cloudList(s.Clouds))
				}
			}
			switch {
			case printCmds && out != "":
				return usagef("use --out or --print-commands, not both")
			case printCmds:
				return printDetonation(stdout, s, want)
			case out == "":
				return usagef("simulate needs --out DIR or --print-commands")
			}
			for _, c := range want {
				dir := filepath.Join(out, string(c))
				w, err := attack.Write(dir, s, c)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s: wrote %d files to %s (%d calls, %d findings to be reported, besides any low ones for benign calls)\n", c, len(w.Files), dir, len(w.Calls), s.ExpectedFindings(c))
				if s.Flows {
					fmt.Fprintf(stdout, "  cloudwall scan --flows %s %s\n", filepath.Join(dir, "flows"), dir)
				} else {
					fmt.Fprintf(stdout, "  cloudwall scan %s\n", dir)
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&list, "list", false, "list the scenarios")
	fl.BoolVar(&printCmds, "print-commands", false, "print the commands that would detonate the scenario in a sandbox (never run by cloudwall)")
	fl.StringSliceVar(&clouds, "cloud", nil, "only these clouds: aws, azure, gcp (default: every cloud the scenario exists for)")
	fl.StringVar(&out, "out", "", "directory to write the logs to (one folder per cloud)")
	completeValues(cmd, "cloud", cloudNames...)
	return cmd
}

func cloudList(cs []model.Cloud) string {
	var s []string
	for _, c := range cs {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

func listScenarios(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tCLOUDS\tREPORTED\tWHAT")
	for _, s := range attack.Scenarios() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, cloudList(s.Clouds), expectedText(s), s.What)
	}
	return tw.Flush()
}

// expectedText is the number of findings the scenario gives, per cloud
// when the clouds differ ("3 aws, 2 azure, 2 gcp").
func expectedText(s attack.Scenario) string {
	var per []string
	same := true
	for _, c := range s.Clouds {
		per = append(per, fmt.Sprintf("%d %s", s.ExpectedFindings(c), c))
		same = same && s.ExpectedFindings(c) == s.ExpectedFindings(s.Clouds[0])
	}
	if same {
		return fmt.Sprint(s.ExpectedFindings(s.Clouds[0]))
	}
	return strings.Join(per, ", ")
}

func printDetonation(w io.Writer, s attack.Scenario, clouds []model.Cloud) error {
	fmt.Fprintf(w, "# %s: %s\n# Run these in a sandbox account only. cloudwall never runs them.\n", s.Name, s.What)
	for _, c := range clouds {
		cmds, err := attack.Detonation(s, c)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n## %s\n", c)
		if cmds.Stratus != "" {
			fmt.Fprintf(w, "# Stratus Red Team: stratus detonate %s\n", cmds.Stratus)
		}
		for _, part := range []struct {
			name  string
			lines []string
		}{{"setup", cmds.Setup}, {"detonate", cmds.Detonate}, {"cleanup", cmds.Cleanup}} {
			if len(part.lines) == 0 {
				continue
			}
			fmt.Fprintf(w, "# %s\n", part.name)
			for _, l := range part.lines {
				fmt.Fprintln(w, l)
			}
		}
	}
	return nil
}
