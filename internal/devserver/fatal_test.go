package devserver

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"

	"go.temporal.io/server/common/log/tag"
)

// TestFatalBecomesAnError: the server's Fatal (a port taken between being
// chosen and listened on) ends Start with an error naming the cause; it
// used to be logged, and the server then panicked on a nil listener. Only a
// port in use counts as a listener failure Start retries with new ports,
// whatever Temporal's message says.
func TestFatalBecomesAnError(t *testing.T) {
	logger := slogLogger{log: slog.New(slog.NewTextHandler(io.Discard, nil)), level: slog.LevelWarn}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, inUse := net.Listen("tcp", taken.Addr().String())
	if inUse == nil {
		t.Fatal("listened twice on one port")
	}
	for _, c := range []struct {
		msg      string
		err      error
		listener bool
	}{
		{"Failed to start gRPC listener", inUse, true},
		{"Failed to bind", inUse, true}, // another wording
		{"Failed to start gRPC listener", errors.New("listen tcp: lookup nohost: no such host"), false},
		{"ListenIP failed, bindOnLocalHost and bindOnIP are mutually exclusive", nil, false},
	} {
		var tags []tag.Tag
		if c.err != nil {
			tags = append(tags, tag.Error(c.err))
		}
		err := catchFatal(func() error {
			logger.Fatal(c.msg, tags...)
			return nil
		})
		var fatal *fatalError
		if !errors.As(err, &fatal) || !strings.Contains(err.Error(), c.msg) || c.err != nil && !strings.Contains(err.Error(), c.err.Error()) {
			t.Errorf("Fatal(%q, %v) = %v, want a fatalError naming both", c.msg, c.err, err)
			continue
		}
		if fatal.listener() != c.listener {
			t.Errorf("Fatal(%q, %v): listener() = %v, want %v", c.msg, c.err, fatal.listener(), c.listener)
		}
	}
	if err := catchFatal(func() error { return errors.New("plain") }); err == nil || err.Error() != "plain" {
		t.Errorf("a returned error: %v", err)
	}
}

// TestStartWhenAPortIsTakenAfterTheCheck: a port Start checked (or chose)
// free and another process took before the server listened on it ends
// Start with the listener's error instead of crashing the process (the
// internal services' ports get new picks first; this one is fixed).
func TestStartWhenAPortIsTakenAfterTheCheck(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	o := Options{UIPort: -1, Port: port, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	o.defaults()
	main, vis := sqlConfigs(t, &o)
	// Past Start's own check that the port is free: the server's listener.
	_, _, err = o.startTemporal(main, vis)
	if err == nil || !strings.Contains(err.Error(), strconv.Itoa(port)) && !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("err = %v, want the listener's failure", err)
	}
}
