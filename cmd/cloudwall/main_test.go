//go:build linux

package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests run the real binary in a child process and stop it with
// real signals, wherever it may be waiting.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds cloudwall once for the package's tests.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cloudwall-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "cloudwall")
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

func TestMain(m *testing.M) {
	// The children inherit this: no test writes to the user's real store.
	os.Setenv("CLOUDWALL_STORE", "none")
	code := m.Run()
	if binPath != "" && buildErr == nil {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

const samples = "../../testdata/samples"

// child is a running cloudwall.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	exit           int
}

func start(t *testing.T, stdin io.Reader, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(binary(t), args...), done: make(chan struct{})}
	c.cmd.Stdin = stdin
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = c.cmd.Wait()
		c.exit = c.cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// stop sends sig and returns how long the child took to exit.
func (c *child) stop(t *testing.T, sig syscall.Signal) time.Duration {
	t.Helper()
	select {
	case <-c.done:
		t.Fatalf("cloudwall exited (%d) before the signal:\n%s", c.exit, c.stderr.String())
	default:
	}
	sent := time.Now()
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("cloudwall still running 5 s after %v:\n%s", sig, c.stderr.String())
	}
	return time.Since(sent)
}

// readAtLeast waits until the child has read n bytes with read(2): with
// one worker, inputs are read in order, so the samples named first are
// behind it.
func (c *child) readAtLeast(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		io, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/io")
		if err != nil {
			t.Skipf("cannot watch the child's reads: %v", err)
		}
		for _, line := range strings.Split(string(io), "\n") {
			if v, ok := strings.CutPrefix(line, "rchar: "); ok {
				if got, _ := strconv.ParseInt(v, 10, 64); got >= n {
					return
				}
			}
		}
		select {
		case <-c.done:
			t.Fatalf("cloudwall exited (%d) early:\n%s", c.exit, c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("the child never read the samples")
}

// waitIn waits until one of the child's threads sleeps in the kernel
// function fn (/proc/PID/task/*/wchan): the child has reached the wait the
// test is about, whatever the load on the machine. Where wchan is hidden,
// it waits two seconds instead.
func (c *child) waitIn(t *testing.T, fn string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/task/*/wchan")
		hidden := len(tasks) > 0
		for _, p := range tasks {
			w, _ := os.ReadFile(p)
			if string(w) == fn {
				return
			}
			hidden = hidden && (len(w) == 0 || string(w) == "0")
		}
		if hidden {
			time.Sleep(2 * time.Second)
			return
		}
		select {
		case <-c.done:
			t.Fatalf("cloudwall exited (%d) early:\n%s", c.exit, c.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("cloudwall never waited in %s", fn)
}

// samplesSize is the bytes the samples hold on disk.
func samplesSize(t *testing.T) int64 {
	var n int64
	err := filepath.WalkDir(samples, func(_ string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		n += info.Size()
		return err
	})
	if err != nil || n == 0 {
		t.Fatalf("samples: %d bytes, %v", n, err)
	}
	return n
}

// fifo makes a named pipe nobody writes to.
func fifo(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "pipe.json")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// silentFIFO returns a FIFO held open for writing by the test, which
// never writes to it.
func silentFIFO(t *testing.T) string {
	p := fifo(t)
	w, err := os.OpenFile(p, os.O_RDWR, 0) // O_RDWR: does not wait for a reader
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return p
}

// terminal returns the follower side of a new pseudo-terminal, a stdin
// nobody types into; the leader stays open until the test ends.
func terminal(t *testing.T) *os.File {
	leader, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	t.Cleanup(func() { leader.Close() })
	if err := unix.IoctlSetPointerInt(int(leader.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(leader.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

// endless feeds one JSON value that never ends until the test does.
func endless(t *testing.T) io.Reader {
	r, w := io.Pipe()
	t.Cleanup(func() { r.Close() })
	go func() {
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		if _, err := io.WriteString(w, `{"eventSource":"ec2.amazonaws.com","eventName":"`); err != nil {
			return
		}
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	return r
}

// TestSignalsStopOnTime stops cloudwall where it waits or works longest
// and checks that it ends within a second, keeps the findings of the
// inputs it finished, says it was interrupted and exits 128+signal.
func TestSignalsStopOnTime(t *testing.T) {
	tests := []struct {
		name  string
		stdin func(t *testing.T) io.Reader
		args  func(t *testing.T) []string
		sig   syscall.Signal
		want  int
	}{
		// A FIFO is opened without blocking (one with no writer reads as
		// empty, and /dev/zero is refused: see internal/ingest), so what
		// can wait is a read from a writer that stays silent.
		{"reading a FIFO whose writer is silent", nil,
			func(t *testing.T) []string { return []string{samples, silentFIFO(t)} }, syscall.SIGINT, 130},
		{"reading stdin from a terminal", func(t *testing.T) io.Reader { return terminal(t) },
			func(t *testing.T) []string { return []string{samples, "-"} }, syscall.SIGINT, 130},
		{"inside one endless value", endless,
			func(t *testing.T) []string { return []string{samples, "-"} }, syscall.SIGTERM, 143},
		{"opening -o on a FIFO with no reader", nil,
			func(t *testing.T) []string { return []string{"-o", fifo(t), samples} }, syscall.SIGINT, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin io.Reader
			if tt.stdin != nil {
				stdin = tt.stdin(t)
			}
			args := append([]string{"scan", "--format", "jsonl", "--workers", "1"}, tt.args(t)...)
			c := start(t, stdin, args...)
			if args[len(args)-1] != samples {
				c.readAtLeast(t, samplesSize(t))
			} else {
				c.waitIn(t, "wait_for_partner") // opening the FIFO, waiting for a reader
			}
			time.Sleep(300 * time.Millisecond) // the last sample's records, and the next input's open
			took := c.stop(t, tt.sig)
			if took > time.Second {
				t.Errorf("took %v to stop, want under 1 s", took)
			}
			if c.exit != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", c.exit, tt.want, c.stderr.String())
			}
			if !strings.Contains(c.stderr.String(), "interrupted") {
				t.Errorf("stderr does not say the scan was interrupted:\n%s", c.stderr.String())
			}
			if tt.args(t)[0] == "-o" {
				return // stopped before the scan started: nothing to write
			}
			if !strings.Contains(c.stderr.String(), "Scan:") {
				t.Errorf("no summary on stderr:\n%s", c.stderr.String())
			}
			lines := 0
			sc := bufio.NewScanner(&c.stdout)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				if !strings.Contains(sc.Text(), `"rule":`) {
					t.Errorf("stdout line is not a finding: %.200s", sc.Text())
				}
				lines++
			}
			if lines == 0 {
				t.Error("the findings read before the stop were not written")
			}
		})
	}
}

// TestSecondSignalKills: when the first stop cannot finish (here: writing
// findings to a pipe nobody reads), a second signal ends cloudwall at once.
func TestSecondSignalKills(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The smallest pipe buffer, so the findings cannot all fit.
	if _, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 4096); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(binary(t), "scan", "--format", "json", "--min-severity", "info", samples), done: make(chan struct{})}
	c.cmd.Stdout, c.cmd.Stderr = w, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	go func() {
		_ = c.cmd.Wait()
		c.exit = c.cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	defer func() { _ = c.cmd.Process.Kill() }()
	// Wait for the pipe to fill: the child is then blocked writing.
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := unix.IoctlGetInt(int(r.Fd()), unix.TIOCINQ)
		if err != nil {
			t.Fatal(err)
		}
		if n >= 4096 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the output pipe never filled (%d bytes)", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
		t.Fatalf("cloudwall exited (%d) on the first signal although its output is blocked", c.exit)
	case <-time.After(300 * time.Millisecond):
	}
	took := c.stop(t, syscall.SIGTERM)
	if took > time.Second || c.exit != 143 {
		t.Errorf("second signal: exit %d after %v, want 143 at once", c.exit, took)
	}
}

// TestSignalsStopLoading: a signal while the configuration or the
// detection content is being read (here a FIFO with no writer, where
// open(2) waits) stops cloudwall within a second, says so, and exits
// 128 + the signal.
func TestSignalsStopLoading(t *testing.T) {
	for _, tt := range []struct {
		flag string
		sig  syscall.Signal
		want int
	}{
		{"--content", syscall.SIGINT, 130},
		{"--config", syscall.SIGTERM, 143},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			c := start(t, nil, "scan", tt.flag, fifo(t), samples)
			c.waitIn(t, "wait_for_partner")
			if took := c.stop(t, tt.sig); took > time.Second {
				t.Errorf("took %v to stop, want under 1 s", took)
			}
			if c.exit != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", c.exit, tt.want, c.stderr.String())
			}
			if !strings.Contains(c.stderr.String(), "interrupted by") || !strings.Contains(c.stderr.String(), "before the scan started") {
				t.Errorf("stderr does not say the stop came before the scan:\n%s", c.stderr.String())
			}
		})
	}
}

// TestCrashIsNotUsageError: a fatal error of the Go runtime (out of
// memory, a panic in a goroutine; SIGQUIT takes the same path and can be
// sent from a test) ends cloudwall by SIGABRT, never with the usage-error
// status 2.
func TestCrashIsNotUsageError(t *testing.T) {
	c := start(t, nil, "scan", "--format", "jsonl", "-o", fifo(t), samples)
	c.waitIn(t, "wait_for_partner") // opening -o, a FIFO with no reader
	if err := c.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGQUIT")
	}
	ws, _ := c.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGABRT {
		t.Errorf("ended with %v (exit %d), want killed by SIGABRT; stderr:\n%.500s", ws, c.exit, c.stderr.String())
	}
	if c.exit == 2 {
		t.Error("a runtime crash exited 2, the usage-error status")
	}
}
