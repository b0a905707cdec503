package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

// TestCLIFlagsAfterArguments: flags go anywhere, as in the README's
// `hookflow replay shop-orders/msg_123 --dry-run`. send is the command
// that needs no Temporal, so it shows it end to end.
func TestCLIFlagsAfterArguments(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"workflow_id":"shop-orders/x"}`)
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"send", "shop-orders", "../../samples/shop/events/order-paid.json",
		"--project", "../../samples/shop", "--url", srv.URL, "--id", "msg_after", "-H", "X-Extra: 1"}, noEnv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("send with flags after the arguments: %v\n%s%s", err, &stdout, &stderr)
	}
	if got == nil || got.URL.Path != "/hooks/shop-orders" || got.Header.Get("X-Shopify-Webhook-Id") != "msg_after" || got.Header.Get("X-Extra") != "1" {
		t.Fatalf("request: %+v", got)
	}
}

// TestCLIHelp: --help prints the command's usage and flags on stdout and
// succeeds, for every command, without "flag: help requested".
func TestCLIHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), []string{c.name, "--help"}, noEnv, &stdout, &stderr); err != nil {
				t.Fatalf("%s --help: %v", c.name, err)
			}
			out := stdout.String()
			for _, want := range []string{c.summary, "Usage:\n  hookflow " + c.name, "Flags:\n", "-h, --help"} {
				if !strings.Contains(out, want) {
					t.Errorf("help lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out+stderr.String(), "help requested") || stderr.Len() > 0 {
				t.Errorf("stderr:\n%s", &stderr)
			}
		})
	}
	t.Run("replay shows its flags and example", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"replay", "shop-orders/msg_123", "--help"}, noEnv, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"hookflow replay (WORKFLOW_ID | --query '…') [flags]", "--dry-run", "--rules string", "hookflow replay shop-orders/msg_123 --dry-run"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("help lacks %q:\n%s", want, &stdout)
			}
		}
	})
	t.Run("the root lists every command", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"--help"}, noEnv, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, c := range commands() {
			if !strings.Contains(stdout.String(), "  "+c.name+" ") {
				t.Errorf("root help lacks %s:\n%s", c.name, &stdout)
			}
		}
		if !strings.Contains(stdout.String(), "completion") {
			t.Errorf("root help lacks the completion command:\n%s", &stdout)
		}
	})
}

// TestCLIErrors: mistakes name the command and where to look.
func TestCLIErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay", "--dry-rn", "x"}, "unknown flag: --dry-rn (see 'hookflow replay --help')"},
		{[]string{"runs", "--limit", "many"}, `invalid argument "many" for "--limit" flag`},
		{[]string{"sned"}, "unknown command \"sned\" for \"hookflow\"\n\nDid you mean this?\n\tsend"},
		{[]string{"test", "extra", "--project", "../../samples/shop"}, `unexpected argument "extra"`},
	} {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), tc.args, noEnv, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hookflow %s: err %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
}

// TestCLICompletion: shell completions exist and know each command's flags.
func TestCLICompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		var stdout bytes.Buffer
		if err := run(context.Background(), []string{"completion", shell}, noEnv, &stdout, io.Discard); err != nil || !strings.Contains(stdout.String(), "hookflow") {
			t.Errorf("completion %s: %v\n%.200s", shell, err, &stdout)
		}
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"__complete", "replay", "x", "--d"}, noEnv, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "--dry-run\t") {
		t.Errorf("completing replay --d:\n%s", &stdout)
	}
}

// TestCLICompletionValues: shells complete send's triggers from the project
// and the values of flags that take one of a few.
func TestCLICompletionValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "send", "--project", "../../samples/shop", ""}, []string{"shop-inventory", "shop-orders"}},
		{[]string{"__complete", "replay", "--rules", ""}, []string{"original", "current"}},
		{[]string{"__complete", "runs", "--status", ""}, []string{"failed", "no-match"}},
	} {
		var stdout bytes.Buffer
		if err := run(context.Background(), tc.args, noEnv, &stdout, io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout.String(), w+"\n") {
				t.Errorf("%s: lacks %q:\n%s", strings.Join(tc.args, " "), w, &stdout)
			}
		}
	}
}

// TestCLIDaysAndTemporalDown: `runs --since 3d` is taken like durations in
// rule files, and Temporal being down reads as what to do, not as gRPC.
func TestCLIDaysAndTemporalDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := l.Addr().String()
	l.Close()
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"runs", "--since", "3d", "--temporal", down}, noEnv, &stdout, &stderr)
	want := "runs: Temporal at " + down + " does not answer (connection refused): start `hookflow dev`, or pass --temporal HOST:PORT"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "transport") {
		t.Fatalf("err %v\nwant %s", err, want)
	}
	err = run(context.Background(), []string{"runs", "--since", "3x"}, noEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), `"3x" is not a duration; write e.g. 90s, 30m, 12h or 3d`) {
		t.Fatalf("err %v", err)
	}
}

// TestCLIProjectDefault: every command finds its project the same way (dev
// and send used samples/shop, the others .), and says where it looked.
func TestCLIProjectDefault(t *testing.T) {
	shop, err := filepath.Abs("../../samples/shop")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("nowhere", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		for _, cmd := range []string{"check", "test", "send"} {
			args := []string{cmd}
			if cmd == "send" {
				args = append(args, "t", "f.json")
			}
			err := run(context.Background(), args, noEnv, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "no hookflow.yaml in "+dir) || !strings.Contains(err.Error(), "hookflow init") {
				t.Errorf("%s: %v", cmd, err)
			}
		}
	})
	t.Run("the current directory first", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.CopyFS(dir, os.DirFS(shop)); err != nil {
			t.Fatal(err)
		}
		// A samples/shop beside it must not win: send used to prefer it.
		if err := os.MkdirAll(filepath.Join(dir, "samples"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "samples", "shop"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) }))
		defer srv.Close()
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"send", "shop-orders", "events/order-paid.json", "--url", srv.URL}, noEnv, &stdout, &stderr); err != nil {
			t.Fatalf("send: %v\n%s", err, &stderr)
		}
		if err := run(context.Background(), []string{"check"}, noEnv, &stdout, &stderr); err != nil || stderr.Len() > 0 {
			t.Fatalf("check: %v\n%s", err, &stderr)
		}
	})
	t.Run("the repository's sample", func(t *testing.T) {
		t.Chdir("../..")
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), []string{"check"}, noEnv, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		if stderr.String() != "hookflow: project samples/shop (no hookflow.yaml in the current directory)\n" {
			t.Fatalf("stderr %q", &stderr)
		}
	})
}
