package cli

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"cloudwall/internal/model"
	"cloudwall/internal/output"
)

// tableWidth is the width the table is fitted to: the terminal's when
// stdout is one, else $COLUMNS when set (so `COLUMNS=80 cloudwall scan
// --format table ... > file` lays out as on an 80-column screen), else 0,
// no fitting.
func tableWidth(stdoutTTY bool) int {
	if stdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	return 0
}

// detailView applies --show and -v: --show keeps the findings whose id
// starts with the given prefix (the short id a table row shows) and both
// print findings in full. The detailed view is the table format's, so it
// is used unless --format asks for another; a --show that matches nothing
// is an error, since the analyst asked for a finding that is not there.
func detailView(f scanFlags, format string, findings []model.Finding) (string, []model.Finding, error) {
	if f.show != "" {
		findings = output.SelectByID(findings, f.show)
		if len(findings) == 0 {
			return "", nil, usagef("--show %q: no reported finding has an id starting with it (the ID column of the table; filters such as --min-severity apply)", f.show)
		}
	}
	if (f.show != "" || f.verbose) && f.format == "" {
		format = output.FormatTable
	}
	return format, findings, nil
}
