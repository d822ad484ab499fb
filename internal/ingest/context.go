package ingest

import (
	"context"
	"io"
)

// ContextReader returns a reader that fails with ctx's error once ctx is
// done, so a consumer looping over one long stream (an endless value,
// /dev/zero) stops at its next read. A read already blocked is not
// interrupted; the caller must not wait for it.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return &ctxReader{done: ctx.Done(), ctx: ctx, r: r}
}

type ctxReader struct {
	done <-chan struct{}
	ctx  context.Context
	r    io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	select {
	case <-c.done:
		return 0, c.ctx.Err()
	default:
	}
	return c.r.Read(p)
}
