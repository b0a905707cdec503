package devserver

import (
	"errors"
	"fmt"
	"syscall"

	"go.temporal.io/server/common/log/tag"
)

// fatalError is what the embedded server's logger panics with on Fatal.
type fatalError struct {
	msg   string
	cause error // the error tag's, if any
}

func newFatalError(msg string, tags []tag.Tag) *fatalError {
	f := &fatalError{msg: msg}
	for _, t := range tags {
		if t.Key() != "error" {
			continue
		}
		if z, ok := t.(tag.ZapTag); ok {
			f.cause, _ = z.Field().Interface.(error)
		}
		if f.cause == nil { // another tag type: keep its text
			f.cause = errors.New(fmt.Sprint(t.Value()))
		}
	}
	return f
}

func (f *fatalError) Error() string {
	if f.cause == nil {
		return "temporal server: " + f.msg
	}
	return "temporal server: " + f.msg + ": " + f.cause.Error()
}

// listener reports whether the server could not listen on a port because
// something else had taken it: the error, not Temporal's message text, says
// so.
func (f *fatalError) listener() bool { return errors.Is(f.cause, syscall.EADDRINUSE) }

// catchFatal runs start and returns a *fatalError it panicked with as an
// error; other panics go on.
func catchFatal(start func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(*fatalError)
			if !ok {
				panic(r)
			}
			err = f
		}
	}()
	return start()
}
