package export

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// elasticFields reads the fields the Elastic integrations define.
func elasticFields(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open("testdata/elastic-fields.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out[l] = true
		}
	}
	return out
}

// elasticCode drops comments and string literals (raw """...""" and
// escaped "...") from a query, failing on an unterminated one, and
// returns the rest.
func elasticCode(t *testing.T, name, q string) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(q, "\n") {
		if !strings.HasPrefix(line, "//") {
			b.WriteString(line + "\n")
		}
	}
	s, out := b.String(), strings.Builder{}
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], `"""`):
			j := strings.Index(s[i+3:], `"""`)
			if j < 0 {
				t.Fatalf("%s: unterminated raw string", name)
			}
			i += j + 5
			out.WriteString(`""`)
		case s[i] == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				t.Fatalf("%s: unterminated string", name)
			}
			i = j
			out.WriteString(`""`)
		default:
			out.WriteByte(s[i])
		}
	}
	return out.String()
}

var (
	fieldName  = regexp.MustCompile(`@timestamp|\b[a-z_]+(\.[a-z_]+)+\b`)
	dataStream = regexp.MustCompile(`logs-[a-z.]+-\*`)
)

// TestElasticStructure checks the ES|QL and EQL queries as far as no
// parser can: neither language has a parser published as a Go module or
// npm package, so strings and brackets are checked here, every command
// after a pipe is one ES|QL has, every field is one the Elastic AWS,
// Azure or GCP integration (or ECS) defines, and every regular
// expression, read as Lucene reads it, is the RE2 expression
// TestTextPatternsFlagWhatTheEngineFlags checks, matching the whole text.
func TestElasticStructure(t *testing.T) {
	fields := elasticFields(t)
	esqlCommands := map[string]bool{"FROM": true, "WHERE": true, "EVAL": true, "KEEP": true, "SORT": true}
	for _, target := range []string{"esql", "eql"} {
		n := 0
		for _, f := range generate(t, target) {
			if !strings.HasSuffix(f.Name, "."+target) {
				continue
			}
			n++
			code := elasticCode(t, f.Name, string(f.Data))
			depth := 0
			for _, r := range code {
				if r == '(' {
					depth++
				} else if r == ')' {
					depth--
				}
			}
			if depth != 0 {
				t.Errorf("%s: unbalanced brackets", f.Name)
			}
			if target == "esql" {
				if !strings.HasPrefix(code, "FROM logs-") {
					t.Errorf("%s: does not start FROM an integration's data stream", f.Name)
				}
				for _, seg := range strings.Split(code, "|")[1:] {
					if cmd := strings.Fields(seg); len(cmd) == 0 || !esqlCommands[cmd[0]] {
						t.Errorf("%s: unexpected command in %q", f.Name, seg)
					}
				}
			} else if !strings.HasPrefix(code, "any where event.dataset == ") {
				t.Errorf("%s: not an EQL event query", f.Name)
			}
			for _, m := range fieldName.FindAllString(dataStream.ReplaceAllString(code, ""), -1) {
				if !fields[m] {
					t.Errorf("%s: field %s is not defined by the Elastic integrations or ECS", f.Name, m)
				}
			}
		}
		if n < 100 {
			t.Errorf("%s: only %d queries", target, n)
		}
	}
}

// TestLuceneMatchesTheTextPatterns checks that the Lucene form of each
// expression (anchored, quotes escaped) matches the fixtures' request
// texts exactly where the RE2 form that the other tests check does.
func TestLuceneMatchesTheTextPatterns(t *testing.T) {
	c := mustContent(t)
	recs := fixtureRecords(t, c)
	compared := 0
	for i := range c.Operations {
		s, _ := buildSpec(c, &c.Operations[i])
		if s == nil || s.exp == nil {
			continue
		}
		p := patterns(c, s)
		for _, re := range []string{p.world, p.port, p.proto} {
			if re == "" {
				continue
			}
			plain := regexp.MustCompile(re)
			whole := regexp.MustCompile(`(?s)^` + strings.ReplaceAll(lucene(re), `\"`, `"`) + `$`)
			for _, rec := range recs {
				if rec.cloud != s.op.Cloud {
					continue
				}
				text := requestText(t, rec)
				if plain.MatchString(text) != whole.MatchString(text) {
					t.Errorf("%s: %s: the Lucene form disagrees on %s", s.op.ID, rec.where, re)
				}
				compared++
			}
		}
		if s.op.Cloud == model.GCP {
			m := regexp.MustCompile(`^` + strings.ReplaceAll(luceneWhole(methodRegex(s.names)), `\"`, `"`) + `$`)
			for _, k := range s.names {
				if !m.MatchString("v1."+k) || !m.MatchString(k) || m.MatchString("x"+k) {
					t.Errorf("%s: the Lucene method expression is wrong for %s", s.op.ID, k)
				}
			}
		}
	}
	if compared < 1000 {
		t.Errorf("only %d comparisons", compared)
	}
}
