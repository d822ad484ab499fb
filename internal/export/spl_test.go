package export

import (
	"bufio"
	"regexp"
	"strings"
	"testing"
)

// splTokens splits an SPL search into string literals (unescaped) and
// the text between them, failing on an unterminated string.
func splTokens(t *testing.T, name, q string) (strs []string, rest string) {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] != '"' {
			b.WriteByte(q[i])
			continue
		}
		var s strings.Builder
		i++
		for ; i < len(q) && q[i] != '"'; i++ {
			if q[i] == '\\' && i+1 < len(q) {
				i++
			}
			s.WriteByte(q[i])
		}
		if i >= len(q) {
			t.Fatalf("%s: unterminated string", name)
		}
		strs = append(strs, s.String())
		b.WriteString(`""`)
	}
	return strs, b.String()
}

// TestSPLStructure checks each search as far as no SPL parser can: no
// Go module or npm package parses SPL, so this test reads the searches
// with a tokenizer of SPL's string and comment syntax: strings closed,
// brackets balanced, every pipe followed by a command the searches are
// meant to use, every regular expression compiling (RE2 reads the
// subset the searches use), and savedsearches.conf holding each search
// exactly.
func TestSPLStructure(t *testing.T) {
	files := generate(t, "spl")
	commands := map[string]bool{"spath": true, "where": true, "eval": true, "table": true}
	searches := map[string]string{}
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".spl") {
			continue
		}
		q := string(f.Data)
		var body []string
		for _, l := range strings.Split(strings.TrimRight(q, "\n"), "\n") {
			if strings.HasPrefix(l, "```") {
				if !strings.HasSuffix(l, "```") || strings.Count(l, "```") != 2 {
					t.Errorf("%s: comment %q", f.Name, l)
				}
				continue
			}
			body = append(body, l)
		}
		searches["cloudwall - "+strings.TrimSuffix(f.Name, ".spl")] = strings.Join(body, "\n")
		strs, rest := splTokens(t, f.Name, strings.Join(body, "\n"))
		if !strings.HasPrefix(rest, "sourcetype") {
			t.Errorf("%s: does not start with a sourcetype: %.40s", f.Name, rest)
		}
		depth := 0
		for _, r := range rest {
			switch r {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth < 0 {
				break
			}
		}
		if depth != 0 {
			t.Errorf("%s: unbalanced brackets", f.Name)
		}
		for _, seg := range strings.Split(rest, "|")[1:] {
			cmd := strings.Fields(seg)
			if len(cmd) == 0 || !commands[cmd[0]] {
				t.Errorf("%s: unexpected command in %q", f.Name, seg)
			}
		}
		regexes := 0
		for _, s := range strs {
			if strings.ContainsAny(s, "[(\\") { // the match() arguments; names and values have none
				regexes++
				if _, err := regexp.Compile(s); err != nil {
					t.Errorf("%s: regular expression %q: %v", f.Name, s, err)
				}
			}
		}
		if regexes != strings.Count(rest, "match(") {
			t.Errorf("%s: %d regular expressions for %d match() calls", f.Name, regexes, strings.Count(rest, "match("))
		}
	}
	if len(searches) < 100 {
		t.Fatalf("%d searches", len(searches))
	}
	var conf []byte
	for _, f := range files {
		if f.Name == "savedsearches.conf" {
			conf = f.Data
		}
	}
	stanzas := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(strings.NewReader(string(conf)))
	sc.Buffer(nil, 1<<20)
	var key, val string
	for sc.Scan() {
		l := sc.Text()
		switch {
		case key != "":
			val += "\n" + strings.TrimSuffix(l, " \\")
			if !strings.HasSuffix(l, " \\") {
				cur[key], key = val, ""
			}
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			name := l[1 : len(l)-1]
			if stanzas[name] != nil {
				t.Errorf("savedsearches.conf: stanza %s twice", name)
			}
			cur = map[string]string{}
			stanzas[name] = cur
		default:
			k, v, ok := strings.Cut(l, " = ")
			if !ok || cur == nil {
				t.Fatalf("savedsearches.conf: line %q", l)
			}
			if strings.HasSuffix(v, " \\") {
				key, val = k, strings.TrimSuffix(v, " \\")
				continue
			}
			cur[k] = v
		}
	}
	for name, q := range searches {
		st := stanzas[name]
		if st == nil {
			t.Errorf("savedsearches.conf: no stanza [%s]", name)
			continue
		}
		if st["search"] != q {
			t.Errorf("savedsearches.conf [%s]: search differs from the .spl file", name)
		}
		if st["enableSched"] != "1" || st["cron_schedule"] == "" || st["alert.severity"] == "" || st["dispatch.earliest_time"] == "" {
			t.Errorf("savedsearches.conf [%s]: %v", name, st)
		}
	}
	if len(stanzas) != len(searches) {
		t.Errorf("%d stanzas for %d searches", len(stanzas), len(searches))
	}
}

// TestSPLRegexesAreTheTextPatterns checks that the searches carry the
// expressions TestTextPatternsFlagWhatTheEngineFlags runs over the
// fixtures, unchanged by SPL's quoting.
func TestSPLRegexesAreTheTextPatterns(t *testing.T) {
	files := generate(t, "spl")
	found := 0
	for _, f := range files {
		if f.Name != "aws-sg-ingress-change.spl" {
			continue
		}
		strs, _ := splTokens(t, f.Name, string(f.Data[strings.Index(string(f.Data), "sourcetype"):]))
		c := mustContent(t)
		p := patterns(c, mustSpec(t, "aws-sg-ingress-change"))
		for _, want := range []string{p.world, p.port, p.proto} {
			for _, s := range strs {
				if s == want {
					found++
					break
				}
			}
		}
	}
	if found != 3 {
		t.Errorf("found %d of the 3 expressions in aws-sg-ingress-change.spl", found)
	}
}
