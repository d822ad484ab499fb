package spill

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

type rec struct {
	Key  int
	Name string
	Tags []string
}

func byKey(a, b rec) int { return cmp.Compare(a.Key, b.Key) }

// The merged output is exactly a stable in-memory sort, whatever the
// limit: one run, several runs, a remainder held in memory.
func TestSorterOrderMatchesStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var in []rec
	for i := range 1000 {
		in = append(in, rec{Key: r.IntN(50), Name: string(rune('a' + i%26)), Tags: []string{"t"}})
	}
	want := slices.Clone(in)
	slices.SortStableFunc(want, byKey)
	for _, limit := range []int{1, 7, 100, 999, 1000, 5000} {
		s := New(limit, byKey)
		for _, v := range in {
			if err := s.Add(v); err != nil {
				t.Fatal(err)
			}
		}
		if got := s.Spilled(); got != (limit <= len(in)) {
			t.Errorf("limit %d: Spilled() = %v", limit, got)
		}
		for pass := range 2 { // Each may be called again
			var got []rec
			if err := s.Each(func(v rec) error { got = append(got, v); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, func(a, b rec) bool {
				return a.Key == b.Key && a.Name == b.Name && slices.Equal(a.Tags, b.Tags)
			}) {
				t.Fatalf("limit %d pass %d: order differs from a stable sort", limit, pass)
			}
		}
		if s.Len() != int64(len(in)) {
			t.Errorf("Len = %d", s.Len())
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// spillFive adds five values to a Sorter that holds two: two runs on disk.
func spillFive(t *testing.T) *Sorter[rec] {
	t.Helper()
	s := New(2, byKey)
	for i := range 5 {
		if err := s.Add(rec{Key: 5 - i}); err != nil {
			t.Fatal(err)
		}
	}
	if s.Runs() != 2 {
		t.Errorf("Runs = %d, want 2", s.Runs())
	}
	return s
}

func keys(t *testing.T, s *Sorter[rec]) []int {
	t.Helper()
	var got []int
	if err := s.Each(func(v rec) error { got = append(got, v.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}

// The temporary file is private to the user and has no name in TMPDIR
// once created, so a scan killed (kill -9) or a Sorter never closed
// leaves nothing behind; the values are still read back.
func TestSorterFileIsPrivateAndUnlinked(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	s := spillFive(t)
	if files, _ := filepath.Glob(filepath.Join(dir, "cloudwall-spill-*")); len(files) != 0 {
		t.Errorf("spill file visible in TMPDIR while in use: %v (a killed scan would leave it)", files)
	}
	st, err := s.file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("spill file mode %v, want 0600", st.Mode().Perm())
	}
	if got := keys(t, s); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("read back %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// On a system that cannot remove an open file, the file keeps its name
// while in use and Close removes it.
func TestSorterFileRemovedByCloseWhereOpenFilesCannotBeRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	removeOpen = func(string) error { return errors.New("file in use") }
	t.Cleanup(func() { removeOpen = os.Remove })
	s := spillFive(t)
	files, _ := filepath.Glob(filepath.Join(dir, "cloudwall-spill-*"))
	if len(files) != 1 {
		t.Fatalf("spill files in TMPDIR: %v", files)
	}
	if st, err := os.Stat(files[0]); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("spill file: %v, %v; want mode 0600", st, err)
	}
	if got := keys(t, s); !slices.Equal(got, []int{1, 2, 3, 4, 5}) {
		t.Errorf("read back %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ = filepath.Glob(filepath.Join(dir, "cloudwall-spill-*")); len(files) != 0 {
		t.Errorf("spill file left after Close: %v", files)
	}
}
