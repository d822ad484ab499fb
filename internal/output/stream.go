package output

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Streams reports whether format writes each finding on its own (jsonl,
// csv, ocsf), so WriteEach can write findings as they are read back
// without holding them all.
func Streams(format string) bool {
	return slices.Contains([]string{FormatJSONL, FormatCSV, FormatOCSF}, strings.ToLower(strings.TrimSpace(format)))
}

// WriteEach is Write for findings that each yields one at a time (a scan
// that ranked more findings than it holds in memory). Only formats for
// which Streams is true are accepted; the output is byte for byte what
// Write gives for the same findings.
func WriteEach(w io.Writer, format string, each func(func(model.Finding) error) error, sum model.Summary, opts Options) error {
	bw := bufio.NewWriter(w)
	one := make([]model.Finding, 1)
	var err error
	switch strings.ToLower(strings.TrimSpace(format)) {
	case FormatJSONL, FormatOCSF:
		write := writeJSONL
		if strings.EqualFold(strings.TrimSpace(format), FormatOCSF) {
			write = writeOCSF
		}
		err = each(func(f model.Finding) error {
			one[0] = f
			return write(bw, one, sum, opts)
		})
	case FormatCSV:
		cw := csv.NewWriter(bw)
		if err = cw.Write(csvHeader()); err != nil {
			return err
		}
		err = each(func(f model.Finding) error {
			one[0] = f
			return writeCSVRows(cw, one)
		})
	default:
		return fmt.Errorf("format %q needs every finding at once; it cannot be streamed", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}
