//go:build cluster

package clustertest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// postgres is a throwaway PostgreSQL server: its own data directory under
// the test's temporary directory, on a free loopback port, never a system
// cluster. It is stopped when the test ends.
type postgres struct {
	bin  string // directory of initdb, pg_ctl
	data string
	port int
	// cred runs the server as the postgres user when the test runs as root:
	// PostgreSQL refuses to run as root.
	cred *syscall.Credential
}

// postgresBin finds Debian's PostgreSQL programs, the newest version first.
func postgresBin() (string, bool) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(found, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(a))))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(b))))
		return vb - va
	})
	for _, initdb := range found {
		bin := filepath.Dir(initdb)
		if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err == nil {
			return bin, true
		}
	}
	return "", false
}

func startPostgres(t testing.TB, dir string) *postgres {
	t.Helper()
	bin, ok := postgresBin()
	if !ok {
		t.Skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): " +
			"install Debian's postgresql package (apt-get install postgresql), as .ci/run does, to run the cluster test")
	}
	pg := &postgres{bin: bin, data: filepath.Join(dir, "pgdata"), port: freePort(t)}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs an unprivileged user to run as: %v (the postgresql package creates 'postgres')", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		pg.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// The server must reach its data directory through the test's
		// private (0700) temporary directories.
		for d := dir; d != filepath.Dir(d) && d != os.TempDir(); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o711); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(pg.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if pg.cred != nil {
		if err := os.Chown(pg.data, int(pg.cred.Uid), int(pg.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	pg.run(t, "initdb", "--pgdata", pg.data, "--username", "postgres", "--auth", "trust", "--encoding", "UTF8", "--no-instructions")
	// fsync off: this test kills Temporal and hookflow processes, never
	// PostgreSQL, so its durability is not under test and the shared
	// machine's disk stays free for the rest.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", pg.port, pg.data)
	pg.run(t, "pg_ctl", "--pgdata", pg.data, "--log", filepath.Join(pg.data, "server.log"), "--wait", "--timeout", "60", "--options", opts, "start")
	t.Cleanup(func() {
		cmd := pg.command("pg_ctl", "--pgdata", pg.data, "--mode", "immediate", "--wait", "stop")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("stop postgres: %v\n%s", err, out)
		}
	})
	t.Logf("postgres %s on 127.0.0.1:%d, data in %s", filepath.Base(filepath.Dir(bin)), pg.port, pg.data)
	return pg
}

func (pg *postgres) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(pg.bin, name), args...)
	cmd.Dir = pg.data
	if pg.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: pg.cred}
		cmd.Env = append(os.Environ(), "HOME="+pg.data)
	}
	return cmd
}

func (pg *postgres) run(t testing.TB, name string, args ...string) {
	t.Helper()
	cmd := pg.command(name, args...)
	if name == "initdb" {
		cmd.Dir = filepath.Dir(pg.data)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}
