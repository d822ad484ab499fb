package ingest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"compress/bzip2"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/readahead"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Format is what an input's leading bytes say it is.
type Format string

const (
	Plain Format = "plain"
	Gzip  Format = "gzip"
	Zstd  Format = "zstd"
	Bzip2 Format = "bzip2"
	XZ    Format = "xz"
	Tar   Format = "tar"
	Zip   Format = "zip"
	// UTF16 is text in UTF-16 with a byte-order mark, as Windows
	// PowerShell writes it (Get-AzActivityLog | ConvertTo-Json | Out-File).
	UTF16 Format = "utf-16"
	// UTF16LE and UTF16BE are UTF-16 text without a byte-order mark,
	// recognised by ASCII characters interleaved with NUL bytes
	// (iconv -t UTF-16LE, or a tool that strips the mark).
	UTF16LE Format = "utf-16le"
	UTF16BE Format = "utf-16be"
)

// MaxNesting bounds compression-inside-archive-inside-compression chains
// (a .tar.gz holding a .zip of .json.gz files is four layers), so a
// crafted input (a zip that contains itself) cannot recurse without end.
const MaxNesting = 6

// maxSpooledZip bounds a zip found inside another stream (a tar member,
// stdin), which is copied to a temporary file to be read: its directory
// is at its end.
const maxSpooledZip = 1 << 30

// zstdMaxWindow bounds the memory a zstd frame may ask for. Log producers
// use small windows; a larger request is refused instead of allocated.
const zstdMaxWindow = 64 << 20

// zstdHint says what to do with a frame whose window is over
// zstdMaxWindow (zstd --long makes 128 MiB ones): a 128 MiB window per
// file read at once would break the memory bound, so it is refused with
// the command that reads it.
type zstdHint struct {
	r    io.Reader
	name string
}

func (z *zstdHint) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		err = fmt.Errorf("%w: the frame needs a window over %d MiB (written by zstd --long?); decompress it first: zstd -dc --long=31 %s | cloudwall scan -", err, zstdMaxWindow>>20, z.name)
	}
	return n, err
}

// readBuffer is the read size between the file and the decompressor.
const readBuffer = 64 << 10

// Sniff names the format of the stream that starts with head.
func Sniff(head []byte) Format {
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return Gzip
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return Zstd
	case len(head) >= 4 && bytes.HasPrefix(head, []byte("BZh")) && head[3] >= '1' && head[3] <= '9':
		return Bzip2
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return XZ
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return Zip
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return Tar
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return UTF16
	}
	return sniffUTF16(head)
}

// sniffUTF16 recognises UTF-16 text without a byte-order mark: in the
// first 128 bytes, at least three quarters of the byte pairs are a
// printable ASCII byte and a NUL, in one order, starting with the first
// pair. Text never has NULs this regularly; a run of NULs (padding before
// a record) is pairs of two NULs and does not count.
func sniffUTF16(head []byte) Format {
	head = head[:min(len(head), 128)&^1]
	if len(head) < 8 {
		return Plain
	}
	ascii := func(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\n' || c == '\r' || c == '\t' }
	var le, be int
	for i := 0; i < len(head); i += 2 {
		switch {
		case ascii(head[i]) && head[i+1] == 0:
			le++
		case head[i] == 0 && ascii(head[i+1]):
			be++
		}
	}
	pairs := len(head) / 2
	switch {
	case le*4 >= pairs*3 && head[1] == 0 && head[0] != 0:
		return UTF16LE
	case be*4 >= pairs*3 && head[0] == 0 && head[1] != 0:
		return UTF16BE
	}
	return Plain
}

// Stream is one logical byte stream found in an input: the input itself
// once decompressed, or one member of an archive.
type Stream struct {
	// Name is the input name, with "!member" appended for archive members.
	Name string
	// Formats lists the layers that were peeled off, outermost first.
	Formats []Format
	R       io.Reader
}

// Options tunes Open.
type Options struct {
	// RawBytes, when set, is increased by every byte read from inputs
	// before decompression (progress reporting and the summary).
	RawBytes *atomic.Int64
	// ReadAheadMin, when positive, decompresses inputs of at least this
	// many bytes (and stdin, whose size is unknown) in a goroutine of
	// their own, so that decompression and parsing of one large input
	// overlap on two cores. Small inputs are better served by reading
	// several at once.
	ReadAheadMin int64
}

// Open reads in and calls fn once for every logical stream inside it, in
// order. A tar archive yields one stream per regular member, a zip file
// likewise; archives inside archives are opened too, up to MaxNesting
// layers. fn must consume or abandon its reader before returning.
//
// One bad member does not end an archive: when a member cannot be opened
// or decompressed, or fn returns an error for it, the walk goes on with
// the next member, and Open returns every such error (errors.Join), each
// naming its member as file!member. Only what leaves nothing further to
// read (the archive's own structure or outer compression broken) stops
// the walk. When ctx ends, Open returns ctx.Err().
func Open(ctx context.Context, in Input, opts Options, fn func(Stream) error) error {
	return NewOpener(opts).Open(ctx, in, fn)
}

// Opener opens inputs as Open does, keeping its read buffers and gzip
// reader from one input to the next: a scan of thousands of small
// CloudTrail files would otherwise allocate them thousands of times. An
// Opener serves one goroutine.
type Opener struct {
	opts         Options
	outer, inner *bufio.Reader // file -> decompressor, decompressor -> caller
	gz           *gzip.Reader
}

// NewOpener returns an Opener with the options.
func NewOpener(opts Options) *Opener { return &Opener{opts: opts} }

// Open is the package-level Open with reused buffers.
func (o *Opener) Open(ctx context.Context, in Input, fn func(Stream) error) error {
	err := o.open(ctx, in, fn)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (o *Opener) open(ctx context.Context, in Input, fn func(Stream) error) error {
	opts := o.opts
	rc, err := in.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", in.Name, err)
	}
	defer rc.Close()
	// A read waiting on a pipe ends when the scan is stopped.
	defer context.AfterFunc(ctx, func() { rc.Close() })()
	var r io.Reader = rc
	if opts.RawBytes != nil {
		r = &countingReader{r: rc, n: opts.RawBytes}
	}
	if ra, ok := rc.(io.ReaderAt); ok && in.Size > 0 {
		// A zip's directory is at its end, so it needs random access:
		// recognise it before streaming starts.
		head := make([]byte, 4)
		if n, _ := ra.ReadAt(head, 0); Sniff(head[:n]) == Zip {
			if opts.RawBytes != nil {
				// The zip reader reads at offsets; count the archive once.
				opts.RawBytes.Add(in.Size)
			}
			return o.openZip(ctx, in.Name, ra, in.Size, []Format{Zip}, 0, fn)
		}
	}
	ahead := opts.ReadAheadMin > 0 && (in.Size < 0 || in.Size >= opts.ReadAheadMin)
	return o.peel(ctx, in.Name, reuse(&o.outer, r), nil, 0, ahead, fn)
}

// reuse resets the kept reader *b onto r, making it the first time.
func reuse(b **bufio.Reader, r io.Reader) *bufio.Reader {
	if *b == nil {
		*b = bufio.NewReaderSize(r, readBuffer)
	} else {
		(*b).Reset(r)
	}
	return *b
}

// peel removes compression layers and expands tar archives until plain
// bytes remain.
func (o *Opener) peel(ctx context.Context, name string, br *bufio.Reader, layers []Format, depth int, ahead bool, fn func(Stream) error) error {
	if depth > MaxNesting {
		return fmt.Errorf("%s: more than %d nested compression or archive layers; not opened", name, MaxNesting)
	}
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	format := Sniff(head)
	switch format {
	case Plain:
		return fn(Stream{Name: name, Formats: layers, R: br})
	case Gzip:
		zr, err := o.gzipReader(br, depth)
		if err != nil {
			return fmt.Errorf("%s: gzip header: %w", name, err)
		}
		defer zr.Close()
		r, stop := o.decompressed(zr, Gzip, depth, ahead)
		defer stop()
		return o.peel(ctx, name, r, append(layers, Gzip), depth+1, false, fn)
	case Zstd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
		if err != nil {
			return fmt.Errorf("%s: zstd: %w", name, err)
		}
		defer zr.Close()
		r, stop := o.decompressed(&zstdHint{r: zr, name: name}, Zstd, depth, ahead)
		defer stop()
		return o.peel(ctx, name, r, append(layers, Zstd), depth+1, false, fn)
	case Bzip2:
		r, stop := o.decompressed(bzip2.NewReader(br), Bzip2, depth, ahead)
		defer stop()
		return o.peel(ctx, name, r, append(layers, Bzip2), depth+1, false, fn)
	case Tar:
		return o.openTar(ctx, name, br, append(layers, Tar), depth, fn)
	case UTF16:
		// The BOM says which byte order; the decoder turns it into UTF-8.
		utf8 := transform.NewReader(br, unicode.BOMOverride(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()))
		return o.peel(ctx, name, bufio.NewReaderSize(&layerReader{r: utf8, format: UTF16}, readBuffer), append(layers, UTF16), depth+1, false, fn)
	case UTF16LE, UTF16BE:
		// No mark: the NULs' positions said the byte order.
		order := unicode.LittleEndian
		if format == UTF16BE {
			order = unicode.BigEndian
		}
		utf8 := transform.NewReader(br, unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder())
		return o.peel(ctx, name, bufio.NewReaderSize(&layerReader{r: utf8, format: format}, readBuffer), append(layers, format), depth+1, false, fn)
	case Zip:
		return o.spoolZip(ctx, name, br, append(layers, Zip), depth, fn)
	case XZ:
		return fmt.Errorf("%s: xz compression is not supported: decompress with `xz -dc` and pipe to `cloudwall scan -`", name)
	}
	return fmt.Errorf("%s: unknown format %q", name, format)
}

func (o *Opener) openTar(ctx context.Context, name string, r *bufio.Reader, layers []Format, depth int, fn func(Stream) error) error {
	var errs []error
	tr := tar.NewReader(r)
	for member := 0; ; member++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return errors.Join(errs...)
		}
		if errors.Is(err, tar.ErrHeader) {
			// A damaged header: report it and look for the next member
			// in the blocks that follow.
			errs = append(errs, fmt.Errorf("%s: tar: member %d: %w; looking for the next member", name, member, err))
			if !skipToTarHeader(r) {
				return errors.Join(errs...)
			}
			tr = tar.NewReader(r)
			continue
		}
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("%s: tar: %w", name, err))...)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := o.peel(ctx, name+"!"+h.Name, bufio.NewReaderSize(tr, readBuffer), layers, depth+1, false, fn); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
		}
	}
}

// skipToTarHeader advances r, a block at a time, to the next block that
// holds a valid tar header. It reports false at the end of the stream.
func skipToTarHeader(r *bufio.Reader) bool {
	for {
		block, err := r.Peek(512)
		if len(block) < 512 || err != nil {
			return false
		}
		if validTarHeader(block) {
			return true
		}
		r.Discard(512)
	}
}

// validTarHeader checks a header block's checksum, as archive/tar does.
func validTarHeader(b []byte) bool {
	if !bytes.Equal(b[257:262], []byte("ustar")) && !bytes.Equal(b[257:263], []byte("ustar ")) {
		return false
	}
	var unsigned, signed int64
	for i, c := range b {
		if i >= 148 && i < 156 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	want, err := strconv.ParseInt(strings.Trim(string(b[148:156]), " \x00"), 8, 64)
	return err == nil && (want == unsigned || want == signed)
}

// spoolZip reads a zip found inside another stream: a zip's directory is
// at its end, so it is copied to a temporary file first (at most
// maxSpooledZip bytes).
func (o *Opener) spoolZip(ctx context.Context, name string, r io.Reader, layers []Format, depth int, fn func(Stream) error) error {
	f, n, release, err := Spool(ctx, r, "cloudwall-*.zip", maxSpooledZip)
	switch {
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("%s: zip inside a stream is larger than %d bytes; not opened: extract it and scan the .zip file", name, maxSpooledZip)
	case err != nil:
		return fmt.Errorf("%s: zip inside a stream: %w", name, err)
	}
	defer release()
	return o.openZip(ctx, name, f, n, layers, depth, fn)
}

func (o *Opener) openZip(ctx context.Context, name string, ra io.ReaderAt, size int64, layers []Format, depth int, fn func(Stream) error) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return fmt.Errorf("%s: zip: %w", name, err)
	}
	var errs []error
	skip, over := overlaps(zr.File, size)
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !f.Mode().IsRegular() || skip[f] {
			continue // folders and links; entries reading an earlier one's bytes
		}
		member := name + "!" + f.Name
		if n := over[f]; n > 0 {
			errs = append(errs, fmt.Errorf("%s: %d entries overlap its data (an overlapping zip bomb); read once", member, n))
		}
		rc, err := f.Open()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", member, err))
			continue
		}
		err = o.peel(ctx, member, bufio.NewReaderSize(&layerReader{r: rc, format: Zip}, readBuffer), layers, depth+1, false, fn)
		rc.Close()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// overlaps finds the entries of a zip whose data overlaps that of an
// entry before it (by offset): an overlapping zip bomb's thousands of
// entries read the same bytes, so a megabyte file takes minutes. It
// returns those entries, to skip, and how many overlap each entry read.
func overlaps(files []*zip.File, size int64) (skip map[*zip.File]bool, over map[*zip.File]int) {
	type span struct {
		f        *zip.File
		from, to int64
	}
	var spans []span
	for _, f := range files {
		off, err := f.DataOffset()
		if !f.Mode().IsRegular() || err != nil || off < 0 || off > size {
			continue // not read, or refused when opened
		}
		spans = append(spans, span{f, off, off + int64(min(f.CompressedSize64, uint64(size-off)))})
	}
	slices.SortStableFunc(spans, func(a, b span) int { return cmp.Compare(a.from, b.from) })
	skip, over = map[*zip.File]bool{}, map[*zip.File]int{}
	var owner span
	for i, s := range spans {
		if i > 0 && s.from < owner.to {
			skip[s.f] = true
			over[owner.f]++
			continue
		}
		owner = s
	}
	return skip, over
}

// gzipReader returns a gzip reader on br; the outermost layer reuses the
// Opener's (nested layers are open at the same time, so they get their own).
func (o *Opener) gzipReader(br *bufio.Reader, depth int) (*gzip.Reader, error) {
	if depth > 0 {
		return gzip.NewReader(br)
	}
	if o.gz == nil {
		zr, err := gzip.NewReader(br)
		if err == nil {
			o.gz = zr
		}
		return zr, err
	}
	return o.gz, o.gz.Reset(br)
}

// decompressed wraps a decompressor for the next layer, so errors name
// the format. With ahead the decompression runs in its own goroutine; stop
// ends it when the stream is abandoned early.
func (o *Opener) decompressed(zr io.Reader, f Format, depth int, ahead bool) (r *bufio.Reader, stop func()) {
	var lr io.Reader = &layerReader{r: zr, format: f}
	if ahead {
		ra := readahead.NewReader(lr)
		return bufio.NewReaderSize(ra, readBuffer), func() { ra.Close() }
	}
	if depth == 0 {
		return reuse(&o.inner, lr), func() {}
	}
	return bufio.NewReaderSize(lr, readBuffer), func() {}
}

// layerReader names the layer in decompression errors, so a truncated
// gzip reads as "gzip stream: unexpected EOF" and not a bare EOF.
type layerReader struct {
	r      io.Reader
	format Format
}

func (l *layerReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("%s stream: %w", l.format, err)
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
