package cli

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/model"
	"cloudwall/internal/output"
)

// runSetup is what scan and timeline read from their flags before they
// read any log, so that a mistake fails at once, not after a long scan:
// the output (opened), its format and colour, --fail-on, the progress
// bar, the configuration and the detection content.
type runSetup struct {
	format          string
	stdoutTTY       bool
	color, progress bool
	failOn          *model.Severity
	cfg             *config.Config
	content         *content.Content
	// out is stdout or the --output file (outFile, closed by the caller).
	out     io.Writer
	outFile *os.File
}

// setup checks the flags scan and timeline share and opens what they
// name; formats are the command's output formats. Loading the
// configuration and content reads files the user names, which may block
// (a FIFO with no writer): a stop does not wait for them.
func (f *scanFlags) setup(ctx context.Context, formats []string, stdout, stderr io.Writer) (runSetup, error) {
	s := runSetup{stdoutTTY: isTerminal(stdout) && f.outputPath == "", out: stdout}
	s.format = output.FormatJSONL
	if s.stdoutTTY {
		s.format = output.FormatTable
	}
	if f.format != "" {
		s.format = strings.ToLower(strings.TrimSpace(f.format))
		if !slices.Contains(formats, s.format) {
			return s, usagef("unknown --format %q (want one of %s)", f.format, strings.Join(formats, ", "))
		}
	}
	if f.failOn != "" {
		sev, err := model.ParseSeverity(strings.TrimSpace(f.failOn))
		if err != nil {
			return s, usagef("--fail-on: %v", err)
		}
		s.failOn = &sev
	}
	var err error
	if s.color, err = parseChoice("--color", f.color, s.stdoutTTY && os.Getenv("NO_COLOR") == ""); err != nil {
		return s, err
	}
	if s.progress, err = parseChoice("--progress", f.progress, isTerminal(stderr)); err != nil {
		return s, err
	}
	switch {
	case f.workers < 0:
		return s, usagef("--workers must be positive")
	case f.shortWindow < 0:
		return s, usagef("--short-window must not be negative")
	}
	cfgPath, err := config.Find(f.configPath, ".")
	if err != nil {
		return s, err
	}
	if s.cfg, err = untilDone(ctx, func() (*config.Config, error) { return config.Load(cfgPath) }); err != nil {
		return s, err
	}
	s.content, err = untilDone(ctx, func() (*content.Content, error) {
		return content.Load(nil, append(slices.Clone(s.cfg.Content), f.contentPath...)...)
	})
	if err != nil {
		return s, err
	}
	if f.outputPath != "" {
		if s.outFile, err = create(ctx, f.outputPath); err != nil {
			return s, err
		}
		s.out = s.outFile
	}
	return s, nil
}
