package devserver

import (
	"fmt"
	"strings"

	"go.temporal.io/server/common/log/tag"
)

// fatalError is what the embedded server's logger panics with on Fatal.
type fatalError struct {
	msg string
	err string // the error tag, if any
}

func newFatalError(msg string, tags []tag.Tag) *fatalError {
	f := &fatalError{msg: msg}
	for _, t := range tags {
		if t.Key() == "error" {
			f.err = fmt.Sprint(t.Value())
		}
	}
	return f
}

func (f *fatalError) Error() string {
	if f.err == "" {
		return "temporal server: " + f.msg
	}
	return "temporal server: " + f.msg + ": " + f.err
}

// listener reports whether the server could not listen on a port.
func (f *fatalError) listener() bool { return strings.Contains(f.msg, "listener") }

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
