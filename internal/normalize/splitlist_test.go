package normalize

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// A key of Splitter.Lists streams its array like a wrapper's, but its
// elements stay parts of their document: they carry its index and
// offset, an End record closes each list (an empty one too), and the
// document takes one index. Other keys are left as they were.
func TestSplitterLists(t *testing.T) {
	in := `{"ResponseMetadata":{"x":1},"SecurityGroups":[{"a":1},{"b":2}],"NextToken":"t"}` + "\n" +
		`{"Records":[{"c":3}]}` + "\n" +
		`{"NetworkAcls":[]}` + "\n" +
		`{"SecurityGroups":"not a list"}`
	s := NewSplitter(strings.NewReader(in))
	s.Lists = map[string]bool{"SecurityGroups": true, "NetworkAcls": true}
	var got []string
	for {
		r, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d@%d %s %v %s", r.Index, r.Offset, r.List, r.End, r.Data))
	}
	want := []string{
		`0@0 SecurityGroups false {"a":1}`,
		`0@0 SecurityGroups false {"b":2}`,
		`0@0 SecurityGroups true `,
		`1@92  false {"c":3}`, // a wrapper's records are records, as before
		`2@102 NetworkAcls true `,
		`3@121  false {"SecurityGroups":"not a list"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A document of lists is never held whole: its elements, each under the
// record limit, are read from a document far over it, and the buffer
// stays the size of an element.
func TestSplitterListsPastRecordLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"SecurityGroups":[`)
	for i := range 20000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"GroupId":"sg-%08d","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22}]}`, i)
	}
	b.WriteString(`]}`)
	s := newSplitterSize(strings.NewReader(b.String()), 4096)
	s.MaxRecord = 1 << 10
	s.Lists = map[string]bool{"SecurityGroups": true}
	n := 0
	for {
		r, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !r.End {
			n++
		}
	}
	if n != 20000 || cap(s.buf) > 8192 {
		t.Errorf("%d elements read from a %d-byte document, buffer %d bytes", n, b.Len(), cap(s.buf))
	}
}
