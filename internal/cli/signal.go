package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// Interrupted is the cause of a context cancelled by a signal.
type Interrupted struct{ Signal os.Signal }

func (e *Interrupted) Error() string { return "interrupted by " + signalName(e.Signal) }

// ExitCode is the shell's convention for a process ended by the signal:
// 128 + its number (130 for SIGINT, 143 for SIGTERM).
func (e *Interrupted) ExitCode() int {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// WithSignals returns a context cancelled, with an *Interrupted cause, by
// the first SIGINT or SIGTERM: the scan stops and writes what it found. A
// second signal ends the process at once with the same convention's code.
// stop releases the signals.
func WithSignals(parent context.Context) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancel(&Interrupted{Signal: s})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			os.Exit((&Interrupted{Signal: s}).ExitCode())
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// interruption returns the signal that stopped ctx, if one did.
func interruption(ctx context.Context) (*Interrupted, bool) {
	var in *Interrupted
	ok := errors.As(context.Cause(ctx), &in)
	return in, ok
}

// untilDone runs fn, a step before the scan that may block in a system
// call (opening a FIFO given as --content or --config waits for a
// writer), and returns as soon as ctx ends, with its cause: a stop never
// waits for it. fn's goroutine is left behind; the process is ending.
func untilDone[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}
