package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// hostileText holds what encoding/json writes raw: DEL, C1 controls (CSI
// U+009B and OSC U+009D, which a terminal may act on as ESC [ and ESC ]),
// bidirectional overrides and isolates, beside an escape sequence.
const hostileText = "x\u009b2J\u009d0;title\u009c\x7f\u202eevil\u2066\x1b[31m"

// TestJSONFormsHaveNoRawControls: the JSON forms (json, jsonl, ocsf,
// sarif, and the timeline's) write no control or bidi rune raw, so a
// report printed on a terminal cannot clear it, set its title or reorder
// what is shown; decoded, every string is what the log held.
func TestJSONFormsHaveNoRawControls(t *testing.T) {
	fs := testFindings()
	fs[0].Actor.ID = hostileText
	fs[0].UserAgent = hostileText
	fs[0].Resource.ID = hostileText
	bad := []string{"\u009b", "\u009d", "\u009c", "\x7f", "\u202e", "\u2066", "\x1b"}
	check := func(name string, out []byte) {
		t.Helper()
		for _, b := range bad {
			if bytes.Contains(out, []byte(b)) {
				t.Errorf("%s: output holds %+q raw", name, b)
			}
		}
		if !bytes.Contains(out, []byte(`\u009b2J\u009d0;title\u009c\u007f\u202eevil\u2066\u001b[31m`)) {
			t.Errorf("%s: the text is not written as escapes:\n%.400s", name, out)
		}
	}
	for _, format := range []string{FormatJSON, FormatJSONL, FormatOCSF, FormatSARIF} {
		out := render(t, format, fs, Options{})
		check(format, out)
		if format == FormatJSONL {
			var f model.Finding
			if err := json.Unmarshal(bytes.SplitN(out, []byte("\n"), 2)[0], &f); err != nil {
				t.Fatal(err)
			}
			if f.UserAgent != hostileText || f.Actor.ID != hostileText {
				t.Errorf("decoded %q, %q; want the log's text back", f.UserAgent, f.Actor.ID)
			}
		}
	}
	tl := Timeline{Firewalls: []model.FirewallTimeline{{Firewall: model.Resource{ID: hostileText}}}}
	for _, format := range []string{FormatJSON, FormatJSONL} {
		var buf bytes.Buffer
		if err := WriteTimeline(&buf, format, tl, Options{}); err != nil {
			t.Fatal(err)
		}
		check("timeline "+format, buf.Bytes())
	}
}

// A rune split between two writes is escaped all the same.
func TestJSONEscaperSplitRune(t *testing.T) {
	var buf bytes.Buffer
	e := &jsonEscaper{w: &buf}
	in := []byte(`"a` + "\u009b" + `b` + "\u202e" + `"`)
	for i := range in {
		if _, err := e.Write(in[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := buf.String(), `"a\u009bb\u202e"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.HasPrefix(buf.String(), `"a`) {
		t.Errorf("got %q", buf.String())
	}
}

// FuzzJSONEscaper: any string encodes to JSON that decodes to what
// encoding/json alone gives, with no control or bidi rune left raw.
func FuzzJSONEscaper(f *testing.F) {
	f.Add(hostileText)
	f.Add("\xc2")
	f.Add("a\xff\u009b")
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		if err := newJSONEncoder(&buf).Encode(map[string]string{"k": s}); err != nil {
			t.Fatal(err)
		}
		plain, _ := json.Marshal(s)
		var want, got map[string]string
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("not JSON: %q: %v", buf.Bytes(), err)
		}
		var w string
		_ = json.Unmarshal(plain, &w)
		want = map[string]string{"k": w}
		if got["k"] != want["k"] {
			t.Fatalf("decoded %q, want %q", got["k"], want["k"])
		}
		for _, r := range strings.TrimSuffix(buf.String(), "\n") {
			if mustEscape(r) {
				t.Fatalf("raw %U in %q", r, buf.Bytes())
			}
		}
	})
}
