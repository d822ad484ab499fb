// Package ingest turns command-line arguments (files, folders, archives and
// "-" for stdin) into named, decompressed byte streams. Compression and
// archive formats are recognised by their leading bytes, never by name, so
// a CloudTrail object saved without its .gz suffix still reads.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Input is one thing named on the command line or found in a folder.
type Input struct {
	// Name is the path as the user will recognise it; "-" is stdin.
	Name string
	// Size is the on-disk size, or -1 when unknown (stdin).
	Size int64
	open func() (io.ReadCloser, error)
}

// Open returns the raw (still compressed) bytes of the input.
func (in Input) Open() (io.ReadCloser, error) { return in.open() }

// StdinName is how stdin is named in inputs, findings and messages.
const StdinName = "-"

// FileInput is an Input for a file on disk.
func FileInput(path string, size int64) Input {
	return Input{Name: path, Size: size, open: func() (io.ReadCloser, error) { return os.Open(path) }}
}

// ReaderInput is an Input for an already open stream such as stdin. The
// stream can be opened once.
func ReaderInput(name string, r io.Reader) Input {
	used := false
	return Input{Name: name, Size: -1, open: func() (io.ReadCloser, error) {
		if used {
			return nil, fmt.Errorf("%s: stream already read", name)
		}
		used = true
		return io.NopCloser(r), nil
	}}
}

// Expand resolves arguments into inputs. Folders are walked recursively in
// lexical order (so runs are reproducible); hidden files and folders are
// skipped because they are never audit logs (.DS_Store, .git). A path that
// does not exist is an error before anything is scanned: a typo must not
// look like a clean result.
func Expand(ctx context.Context, args []string, stdin io.Reader) ([]Input, error) {
	var inputs []Input
	var missing []error
	stdinSeen := false
	for _, arg := range args {
		if arg == StdinName {
			if stdinSeen {
				return nil, errors.New("stdin (-) named more than once")
			}
			stdinSeen = true
			inputs = append(inputs, ReaderInput(StdinName, stdin))
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			missing = append(missing, err)
			continue
		}
		if !info.IsDir() {
			inputs = append(inputs, FileInput(arg, info.Size()))
			continue
		}
		found, err := walk(ctx, arg)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, found...)
	}
	if len(missing) > 0 {
		return nil, errors.Join(missing...)
	}
	return inputs, nil
}

func walk(ctx context.Context, root string) ([]Input, error) {
	var inputs []Input
	visited := map[string]bool{}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		visited[real] = true
	}
	var visit func(dir string) error
	visit = func(dir string) error {
		return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("walk %s: %w", path, err)
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			name := d.Name()
			if path != dir && len(name) > 1 && name[0] == '.' {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Log collections often link to where the files live:
				// follow links to files, and to folders not seen yet.
				info, err := os.Stat(path)
				if err != nil {
					return fmt.Errorf("follow %s: %w", path, err)
				}
				if info.Mode().IsRegular() {
					inputs = append(inputs, FileInput(path, info.Size()))
				} else if real, err := filepath.EvalSymlinks(path); err == nil && info.IsDir() && !visited[real] {
					visited[real] = true
					return visit(path + string(filepath.Separator))
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return fmt.Errorf("stat %s: %w", path, err)
			}
			inputs = append(inputs, FileInput(path, info.Size()))
			return nil
		})
	}
	if err := visit(root); err != nil {
		return nil, err
	}
	// WalkDir is already lexical; sorting again documents the guarantee.
	slices.SortFunc(inputs, func(a, b Input) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return inputs, nil
}
