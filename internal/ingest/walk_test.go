package ingest

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openResult is what opening an input gives: its content, or the error.
func openResult(in Input) string {
	rc, err := in.Open()
	if err != nil {
		return "error: " + err.Error()
	}
	defer rc.Close()
	b, _ := io.ReadAll(rc)
	return string(b)
}

// TestWalkReportsAndGoesOn: a dangling link, a link loop, an unreadable
// folder and non-regular files inside a folder each become an input that
// fails with the reason; the files around them are still found.
func TestWalkReportsAndGoesOn(t *testing.T) {
	root := t.TempDir()
	write := func(p string) {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"a.json", "locked/x.json", "m.json", "z/last.json"} {
		write(p)
	}
	links := map[string]string{"dangling": "nowhere.json", "loop1": "loop2", "loop2": "loop1"}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Root reads any folder whatever its mode, so the unreadable folder
	// is made so through the hook as well as by its mode.
	os.Chmod(filepath.Join(root, "locked"), 0)
	defer os.Chmod(filepath.Join(root, "locked"), 0o755)
	readDir = func(dir string) ([]os.DirEntry, error) {
		if filepath.Base(dir) == "locked" {
			return nil, &fs.PathError{Op: "open", Path: dir, Err: fs.ErrPermission}
		}
		return os.ReadDir(dir)
	}
	defer func() { readDir = os.ReadDir }()

	inputs, err := Expand(context.Background(), []string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	var names []string
	for _, in := range inputs {
		name := strings.TrimPrefix(in.Name, root+"/")
		names = append(names, name)
		got[name] = openResult(in)
	}
	if want := "a.json,dangling,fifo,locked,loop1,loop2,m.json,z/last.json"; strings.Join(names, ",") != want {
		t.Errorf("inputs %v, want %s", names, want)
	}
	for name, want := range map[string]string{
		"a.json": "{}", "m.json": "{}", "z/last.json": "{}",
		"dangling": "error: follow link: stat: no such file or directory",
		"loop1":    "error: follow link: stat: too many levels of symbolic links",
		"locked":   "error: read folder: open: permission denied",
		"fifo":     "error: is a named pipe inside a folder; refused",
	} {
		if !strings.HasPrefix(got[name], want) {
			t.Errorf("%s: %q, want %q", name, got[name], want)
		}
	}
}

// TestNonRegularArguments: a device named on the command line is refused
// with a message; a named pipe is read (process substitution), and one
// with no writer does not hang.
func TestNonRegularArguments(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		inputs, err := Expand(context.Background(), []string{"/dev/zero"}, nil)
		if err != nil || len(inputs) != 1 {
			t.Fatalf("Expand(/dev/zero) = %d inputs, %v", len(inputs), err)
		}
		if got := openResult(inputs[0]); !strings.Contains(got, "is a device") {
			t.Errorf("/dev/zero: %q, want a refusal", got)
		}
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	inputs, err := Expand(context.Background(), []string{fifo}, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() { done <- openResult(inputs[0]) }()
	select {
	case got := <-done:
		if got != "" {
			t.Errorf("fifo with no writer: %q, want empty", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("opening a named pipe with no writer hangs")
	}
	// With a writer waiting (as with process substitution), its data is read.
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			f.WriteString("{\"n\":1}\n")
			f.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond) // the writer waits in open
	if got := openResult(inputs[0]); got != "{\"n\":1}\n" {
		t.Errorf("fifo with a writer: %q", got)
	}
}
