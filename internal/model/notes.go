package model

import (
	"fmt"
	"strings"
)

// MaxNotes bounds the notes one event carries and the reasons one finding
// gives. Past it, a last note says how many more there were: a record
// with 60,000 unreadable addresses yields a readable finding, not 60,000
// lines.
const MaxNotes = 50

// moreFormat is the note that stands for the notes past MaxNotes.
const moreFormat = "… and %d more notes"

// Notes collects caveats in the order they are found: each once (letter
// case aside), at most MaxNotes, in time linear in what is added. The zero
// value is ready to use.
type Notes struct {
	list []string
	seen map[string]struct{}
	more int
}

// Add adds one note. A note that stands for notes left out earlier
// ("… and 12 more notes") adds to the count instead.
func (n *Notes) Add(s string) {
	if m, ok := moreCount(s); ok {
		n.more += m
		return
	}
	k := strings.ToLower(s)
	if _, dup := n.seen[k]; dup {
		return
	}
	if n.seen == nil {
		n.seen = map[string]struct{}{}
	}
	n.seen[k] = struct{}{}
	if len(n.list) >= MaxNotes {
		n.more++
		return
	}
	n.list = append(n.list, s)
}

// moreCount reads a note written by moreFormat.
func moreCount(s string) (int, bool) {
	if !strings.HasPrefix(s, "… and ") { // cheap test first: most notes are not counts
		return 0, false
	}
	var m int
	if _, err := fmt.Sscanf(s, moreFormat, &m); err == nil && m > 0 && s == fmt.Sprintf(moreFormat, m) {
		return m, true
	}
	return 0, false
}

// Len is the number of distinct notes added, kept or not.
func (n *Notes) Len() int { return len(n.list) + n.more }

// List returns the notes kept, followed by the count of the rest when
// some were left out. It returns nil when there are none.
func (n *Notes) List() []string {
	if n.more == 0 {
		return n.list
	}
	return append(n.list[:len(n.list):len(n.list)], fmt.Sprintf(moreFormat, n.more))
}

// CapNotes returns notes de-duplicated (letter case aside) and cut to
// MaxNotes plus a count of the rest. Order is kept.
func CapNotes(notes []string) []string {
	if len(notes) == 0 {
		return notes
	}
	if _, more := moreCount(notes[0]); len(notes) == 1 && !more {
		return notes // one note: nothing to merge or cut
	}
	var n Notes
	for _, s := range notes {
		n.Add(s)
	}
	return n.List()
}
