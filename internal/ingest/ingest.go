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
	"strings"
	"syscall"
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

// FileInput is an Input for a file on disk. A named pipe (a FIFO, or
// process substitution such as <(zcat x.gz)) is opened without blocking,
// so a pipe with no writer cannot hold the scan; its reads still wait for
// data, and Open ends them when the scan is stopped.
func FileInput(path string, size int64) Input {
	return Input{Name: path, Size: size, open: func() (io.ReadCloser, error) { return openFile(path) }}
}

func openFile(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regularOrPipe(info); err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeNamedPipe != 0 {
		return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	// The path may have been replaced between the checks and the open.
	if info, err = f.Stat(); err == nil && !info.Mode().IsRegular() {
		f.Close()
		return nil, regularOrPipe(info)
	}
	return f, err
}

// regularOrPipe refuses what is not a log file: reading a device such as
// /dev/zero never ends, and sockets cannot be opened.
func regularOrPipe(info fs.FileInfo) error {
	switch m := info.Mode(); {
	case m.IsRegular(), m&fs.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		return errors.New("is a folder")
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return errors.New("is a device, not a log file; refused (to read it anyway: cloudwall scan - < PATH)")
	case m&fs.ModeSocket != 0:
		return errors.New("is a socket, not a log file; refused")
	default:
		return fmt.Errorf("is not a regular file (%s); refused", m.Type())
	}
}

// failedInput stands for a path that was found but cannot be read (a
// dangling link, a link loop, an unreadable folder, a device): the scan
// reports it as a failed input, with the reason, and goes on.
func failedInput(path string, err error) Input {
	return Input{Name: path, Size: 0, open: func() (io.ReadCloser, error) { return nil, err }}
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
// look like a clean result. Inside a folder, what cannot be read (a
// dangling link, a link loop, an unreadable subfolder, a device or socket)
// becomes an input whose Open fails with the reason, so the scan reports
// it and goes on.
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

// readDir lists a folder; tests replace it to make a folder unreadable
// (chmod 000 does not stop root).
var readDir = os.ReadDir

func walk(ctx context.Context, root string) ([]Input, error) {
	var inputs []Input
	visited := map[string]bool{}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		visited[real] = true
	}
	var visit func(dir string) error
	visit = func(dir string) error {
		entries, err := readDir(dir)
		if err != nil {
			// Keep what was listed, report the rest.
			inputs = append(inputs, failedInput(dir, fmt.Errorf("read folder: %w", unwrapPath(err))))
		}
		for _, d := range entries {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := d.Name()
			path := filepath.Join(dir, name)
			if len(name) > 1 && name[0] == '.' {
				continue
			}
			switch t := d.Type(); {
			case t.IsDir():
				if err := visit(path); err != nil {
					return err
				}
			case t&fs.ModeSymlink != 0:
				// Log collections often link to where the files live:
				// follow links to files, and to folders not seen yet.
				info, err := os.Stat(path)
				if err != nil {
					inputs = append(inputs, failedInput(path, fmt.Errorf("follow link: %w", unwrapPath(err))))
					continue
				}
				if info.IsDir() {
					if real, err := filepath.EvalSymlinks(path); err == nil && !visited[real] {
						visited[real] = true
						if err := visit(path); err != nil {
							return err
						}
					}
					continue
				}
				inputs = append(inputs, fileOrRefused(path, info))
			case t.IsRegular():
				info, err := d.Info()
				if err != nil {
					inputs = append(inputs, failedInput(path, unwrapPath(err)))
					continue
				}
				inputs = append(inputs, FileInput(path, info.Size()))
			default:
				info, err := d.Info()
				if err != nil {
					inputs = append(inputs, failedInput(path, unwrapPath(err)))
					continue
				}
				inputs = append(inputs, fileOrRefused(path, info))
			}
		}
		return nil
	}
	if err := visit(root); err != nil {
		return nil, err
	}
	// Names are joined from sorted listings; sorting again makes the
	// order independent of how links were followed.
	slices.SortStableFunc(inputs, func(a, b Input) int { return strings.Compare(a.Name, b.Name) })
	return inputs, nil
}

// fileOrRefused is the input for a non-folder found in a folder. Named
// pipes there are refused too: a folder of logs holds files, and a pipe
// in it would wait for a writer.
func fileOrRefused(path string, info fs.FileInfo) Input {
	if info.Mode().IsRegular() {
		return FileInput(path, info.Size())
	}
	err := regularOrPipe(info)
	if err == nil {
		err = errors.New("is a named pipe inside a folder; refused (name it on the command line to read it)")
	}
	return failedInput(path, err)
}

// unwrapPath drops the *fs.PathError wrapper, whose path the input's name
// already gives.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
