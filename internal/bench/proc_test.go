package bench

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// The command name may hold spaces and parentheses; utime 250 and stime
	// 50 ticks are 3 s.
	stat := []byte("4242 (hook (flow) dev) S 1 4242 4242 0 -1 4194560 123 0 0 0 250 50 0 0 20 0 12 0 100 1000000 2000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0")
	got, err := parseStatCPU(stat)
	if err != nil || got != 3 {
		t.Fatalf("parseStatCPU = %v, %v; want 3", got, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Error("a malformed stat line must be an error")
	}
}

func TestProcField(t *testing.T) {
	io := []byte("rchar: 6976\nwchar: 120\nsyscr: 10\nsyscw: 2\nread_bytes: 0\nwrite_bytes: 1052672\ncancelled_write_bytes: 4096\n")
	if got := procField(io, "write_bytes:"); got != 1052672 {
		t.Errorf("write_bytes = %d, want 1052672 (not cancelled_write_bytes)", got)
	}
	if got := procField([]byte("VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"), "VmRSS:"); got != 1024 {
		t.Errorf("VmRSS = %d, want 1024", got)
	}
	if got := procField(io, "missing:"); got != 0 {
		t.Errorf("a missing field = %d, want 0", got)
	}
}

// TestReadProcCountsWrites: what this process writes to a file and syncs
// shows in its sample, where the kernel accounts task I/O.
func TestReadProcCountsWrites(t *testing.T) {
	dir := t.TempDir()
	before, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "written"), bytes.Repeat([]byte{1}, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "written"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	after, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/proc/self/io"); err != nil {
		if before.WrittenBytes != -1 || after.WrittenBytes != -1 {
			t.Errorf("no /proc/self/io, yet written bytes %d, %d; want -1 (not known)", before.WrittenBytes, after.WrittenBytes)
		}
		return
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err == nil && fs.Type == 0x01021994 {
		t.Logf("%s is tmpfs, whose writes the kernel does not count as storage writes: only the reading is checked", dir)
		if after.WrittenBytes < before.WrittenBytes {
			t.Errorf("written bytes went back: %d → %d", before.WrittenBytes, after.WrittenBytes)
		}
		return
	}
	if d := after.WrittenBytes - before.WrittenBytes; d < 1<<20 {
		t.Errorf("1 MB written and synced; the process's written bytes moved by %d (%d → %d)", d, before.WrittenBytes, after.WrittenBytes)
	}
}

func TestListeningInodes(t *testing.T) {
	table := []byte(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:46A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:46A0 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0000000000000000 100 0 0 10 0
`)
	got := listeningInodes(table, 18080) // 0x46A0
	if len(got) != 1 || got[0] != "111" {
		t.Errorf("listeningInodes = %v, want [111] (the established connection is not a listener)", got)
	}
}

func TestReadProcAndListenerOfThisProcess(t *testing.T) {
	s, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.RSSBytes <= 0 || s.HWMBytes < s.RSSBytes {
		t.Errorf("ReadProc = %+v, want a resident set and a peak at least as large", s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pid, err := ListenerPID(l.Addr().(*net.TCPAddr).Port)
	if err != nil || pid != os.Getpid() {
		t.Errorf("ListenerPID = %d, %v; want this process %d", pid, err, os.Getpid())
	}
	if m, err := MachineCPU(); err != nil || m.Total <= 0 || m.Busy > m.Total || m.Steal > m.Busy {
		t.Errorf("MachineCPU = %+v, %v; want busy and steal within the total", m, err)
	}
}

// TestReadProcCountsSwitches: a thread of this process that sleeps five
// times gives up its CPU five times, whichever thread it is.
func TestReadProcCountsSwitches(t *testing.T) {
	runtime.LockOSThread() // the sleeps below block this thread, not just a goroutine
	defer runtime.UnlockOSThread()
	before, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if before.Switches < 0 {
		t.Fatal("no context switches read from /proc/self/task/*/status")
	}
	for range 5 {
		ts := syscall.NsecToTimespec(int64(time.Millisecond))
		for {
			var left syscall.Timespec
			err := syscall.Nanosleep(&ts, &left)
			if err == syscall.EINTR { // the runtime's preemption signal: sleep the rest
				ts = left
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	after, err := ReadProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after.Waits < before.Waits+5 || after.Switches < before.Switches+5 {
		t.Errorf("switches %d → %d, waits %d → %d after five sleeps, want at least 5 more of each",
			before.Switches, after.Switches, before.Waits, after.Waits)
	}
	if after.Waits > after.Switches {
		t.Errorf("waits %d > switches %d: waits are some of the switches", after.Waits, after.Switches)
	}
	if all, waits := threadSwitches(1 << 30); all != -1 || waits != -1 {
		t.Errorf("threadSwitches of a missing process = %d, %d; want -1, -1", all, waits)
	}
}

func TestParseMachineCPU(t *testing.T) {
	m, err := parseMachineCPU("cpu  4312191 10439 584707 4003028 36904 0 46400 14988 0 0")
	if err != nil {
		t.Fatal(err)
	}
	want := MachineTimes{Busy: (4312191 + 10439 + 584707 + 46400 + 14988) / 100.0, Total: (4312191 + 10439 + 584707 + 4003028 + 36904 + 46400 + 14988) / 100.0, Steal: 149.88}
	if m != want {
		t.Errorf("parseMachineCPU = %+v, want %+v", m, want)
	}
	for _, bad := range []string{"cpu 1 2 3", "cpu0 1 2 3 4 5 6 7 8", "cpu 1 2 3 4 5 6 7 x"} {
		if _, err := parseMachineCPU(bad); err == nil {
			t.Errorf("parseMachineCPU(%q): no error", bad)
		}
	}
}

func TestReadFileSizes(t *testing.T) {
	dir := t.TempDir()
	db := dir + "/x.db"
	os.WriteFile(db, make([]byte, 100), 0o600)
	os.WriteFile(db+"-wal", make([]byte, 30), 0o600)
	os.WriteFile(dir+"/x.visibility.db", make([]byte, 50), 0o600)
	os.WriteFile(dir+"/x.visibility.db-shm", make([]byte, 7), 0o600)
	got := ReadFileSizes(db)
	if got != (FileSizes{DB: 150, WAL: 30, SHM: 7}) || got.Total() != 187 {
		t.Errorf("ReadFileSizes = %+v", got)
	}
}
