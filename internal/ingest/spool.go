package ingest

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Spool copies r, until ctx is done, to a temporary file and returns it
// with the bytes copied, for the formats read from their end (a zip's
// directory, a Parquet footer). At most limit bytes are copied (0 for no
// limit); past it Spool returns ErrTooLarge. The file is unlinked at once
// where an open file can be (its descriptor keeps the data), so a killed
// scan leaves nothing; release closes it and removes what is left.
func Spool(ctx context.Context, r io.Reader, pattern string, limit int64) (f *os.File, n int64, release func(), err error) {
	f, err = os.CreateTemp("", pattern)
	if err != nil {
		return nil, 0, nil, err
	}
	os.Remove(f.Name())
	release = func() {
		f.Close()
		os.Remove(f.Name())
	}
	src := ContextReader(ctx, r)
	if limit > 0 {
		src = io.LimitReader(src, limit+1)
	}
	n, err = io.Copy(f, src)
	switch {
	case err != nil:
	case limit > 0 && n > limit:
		err = fmt.Errorf("%w (%d bytes)", ErrTooLarge, limit)
	default:
		return f, n, release, nil
	}
	release()
	return nil, 0, nil, err
}

// ErrTooLarge is Spool's error past its limit.
var ErrTooLarge = fmt.Errorf("larger than the limit")
