package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"cloudwall/internal/model"
	"cloudwall/internal/output"
)

// Flag values are matched without regard to letter case everywhere:
// --format JSONL, --min-severity HIGH and --cloud AWS all work.

var cloudNames = []string{string(model.AWS), string(model.Azure), string(model.GCP)}

// parseClouds reads --cloud values (already split at commas by pflag).
// An unknown cloud is a usage error, in every command that takes the flag.
func parseClouds(values []string) ([]model.Cloud, error) {
	var out []model.Cloud
	for _, v := range values {
		c := model.Cloud(strings.ToLower(strings.TrimSpace(v)))
		switch c {
		case model.AWS, model.Azure, model.GCP:
			out = append(out, c)
		default:
			return nil, usagef("--cloud %q: want aws, azure or gcp", v)
		}
	}
	return out, nil
}

// parseFormat reads --format.
func parseFormat(v string) (string, error) {
	f := strings.ToLower(strings.TrimSpace(v))
	for _, x := range output.Formats() {
		if f == x {
			return f, nil
		}
	}
	return "", usagef("unknown --format %q (want one of %s)", v, strings.Join(output.Formats(), ", "))
}

// sizeFlag is a byte count given as a plain number or with a unit:
// 8388608, 8MiB, 8m, 16MB, 1g. Binary units (KiB, MiB, GiB) and the
// single letters k, m, g count in powers of 1024; KB, MB and GB count in
// powers of 1000, as the SI says.
type sizeFlag int

func (s *sizeFlag) String() string {
	if *s == 0 {
		return ""
	}
	return formatSize(int64(*s))
}

func (s *sizeFlag) Type() string { return "size" }

func (s *sizeFlag) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = sizeFlag(n)
	return nil
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
}

// maxSize bounds sizes: far above any real record, and within an int on
// every platform.
const maxSize = 1 << 30

func parseSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	mult, ok := sizeUnits[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("%q is not a size: use bytes or a unit, e.g. 8MiB, 16MB, 1g", v)
	}
	x, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size: use bytes or a unit, e.g. 8MiB, 16MB, 1g", v)
	}
	bytes := x * float64(mult)
	if bytes < 1 || bytes > maxSize {
		return 0, fmt.Errorf("size %q out of range: want 1 byte to 1GiB", v)
	}
	return int64(bytes), nil
}

// formatSize prints n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}

// parseChoice resolves an auto/always/never flag.
func parseChoice(flag, v string, auto bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "auto", "":
		return auto, nil
	case "always":
		return true, nil
	case "never":
		return false, nil
	}
	return false, usagef("%s %q: want auto, always or never", flag, v)
}

// completeValues registers shell completion of a flag's fixed values.
func completeValues(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// severityNames lists the severities, lowest first, for completion.
func severityNames() []string {
	var out []string
	for s := model.Info; s <= model.Critical; s++ {
		out = append(out, s.String())
	}
	return out
}
