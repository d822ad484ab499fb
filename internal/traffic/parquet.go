package traffic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"

	"cloudwall/internal/ingest"
)

// VPC Flow Logs delivered to S3 as Parquet hold the same fields as the
// text format, as columns named with underscores (account_id, log_status).
// A Parquet file is read from its end (the footer), so the stream is first
// copied to a temporary file, never held in memory; its rows are then
// written back as the text format, header line first, and read by the
// text reader, so both deliveries are judged by one parser.

// parquetBatch is how many rows are decoded at a time.
const parquetBatch = 256

func (r *fileReader) readParquet(ctx context.Context, name string, in io.Reader, emit func(*Flow)) error {
	tmp, size, release, err := ingest.Spool(ctx, in, "cloudwall-parquet-*", 0)
	if err != nil {
		if ctx.Err() == nil {
			err = fmt.Errorf("parquet: %w", err)
		}
		return err
	}
	defer release()
	pf, err := openParquet(tmp, size)
	if err != nil {
		r.counts.Records++
		r.problem(name, -1, 0, "damaged Parquet file: "+err.Error())
		return nil
	}
	var header []string
	for _, path := range pf.Schema().Columns() {
		header = append(header, strings.ReplaceAll(strings.Join(path, "."), "_", "-"))
	}
	pr, pw := io.Pipe()
	go func() {
		defer func() {
			// The Parquet library is not hardened against every damaged
			// file: a panic ends this file, not the scan.
			if v := recover(); v != nil {
				pw.CloseWithError(parquetError{fmt.Errorf("unreadable (%v)", v)})
			}
		}()
		pw.CloseWithError(writeParquetText(ctx, pf, header, pw))
	}()
	err = r.readText(ctx, name, bufio.NewReaderSize(pr, 64<<10), emit)
	pr.CloseWithError(errors.New("reader done"))
	if err != nil && ctx.Err() == nil {
		var perr parquetError
		if errors.As(err, &perr) {
			r.counts.Records++
			r.problem(name, -1, 0, perr.Error())
			return nil
		}
	}
	return err
}

// openParquet opens a copied file; a panic in the library on a damaged
// footer is an error.
func openParquet(f *os.File, size int64) (pf *parquet.File, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("unreadable footer (%v)", v)
		}
	}()
	return parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
}

// parquetError is a failure inside the Parquet file, reported against the
// file rather than ending the walk.
type parquetError struct{ err error }

func (e parquetError) Error() string { return "damaged Parquet file: " + e.err.Error() }

// writeParquetText writes the header line, then each row as one line of
// space-separated values: a null is "-", as in the text format, and
// white space inside a value is replaced so it cannot split a field.
func writeParquetText(ctx context.Context, pf *parquet.File, header []string, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(strings.Join(header, " "))
	bw.WriteByte('\n')
	rows := make([]parquet.Row, parquetBatch)
	fields := make([]string, len(header))
	for _, rg := range pf.RowGroups() {
		rr := rg.Rows()
		for {
			if err := ctx.Err(); err != nil {
				rr.Close()
				return err
			}
			n, err := rr.ReadRows(rows)
			for _, row := range rows[:n] {
				for i := range fields {
					fields[i] = "-"
				}
				for _, v := range row {
					if c := v.Column(); c >= 0 && c < len(fields) && !v.IsNull() {
						fields[c] = parquetText(v)
					}
				}
				bw.WriteString(strings.Join(fields, " "))
				bw.WriteByte('\n')
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rr.Close()
				return parquetError{err}
			}
		}
		rr.Close()
	}
	return bw.Flush()
}

func parquetText(v parquet.Value) string {
	var s string
	switch v.Kind() {
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.ByteArray, parquet.FixedLenByteArray:
		s = string(v.ByteArray())
	default:
		s = v.String()
	}
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return '_'
		}
		return r
	}, s)
}
