package output

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// newJSONEncoder is json.NewEncoder for output that may be read on a
// terminal: encoding/json escapes C0 controls (ESC among them) and the
// line separators, but writes DEL, the C1 controls (U+009B is CSI: a
// terminal that honours it clears the screen or sets its title as for
// ESC [) and the bidirectional overrides (which reorder what a reader
// sees) as they are. Those are written as \u escapes too, which decode to
// the same string. HTML escaping is off: "<" and "&" in names would only
// be unreadable, and the output is not embedded in HTML.
func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(&jsonEscaper{w: w})
	enc.SetEscapeHTML(false)
	return enc
}

// jsonEscaper rewrites the runes mustEscape names into \u escapes in
// encoded JSON, where they can only be inside strings. json.Encoder hands
// it whole values, so a rune is never split between writes; a trailing
// partial rune is still held until the next write.
type jsonEscaper struct {
	w    io.Writer
	held []byte
	buf  []byte
}

func (e *jsonEscaper) Write(p []byte) (int, error) {
	in := p
	if len(e.held) > 0 {
		in = append(e.held, p...)
		e.held = nil
	}
	out := e.buf[:0]
	start := 0
	for i := 0; i < len(in); {
		c := in[i]
		if c < 0x7f && c != 0 {
			i++
			continue
		}
		r, size := utf8.DecodeRune(in[i:])
		if r == utf8.RuneError && size == 1 && !utf8.FullRune(in[i:]) {
			e.held = append(e.held, in[i:]...) // completed by the next write
			in = in[:i]
			break
		}
		if c == 0x7f || mustEscape(r) {
			out = append(out, in[start:i]...)
			out = fmt.Appendf(out, `\u%04x`, r)
			start = i + size
		}
		i += size
	}
	out = append(out, in[start:]...)
	e.buf = out[:0]
	if _, err := e.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
