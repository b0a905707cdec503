package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/internal/devdb"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat:
// 100 on every Linux architecture Go supports (the kernel fixes it for
// userspace whatever CONFIG_HZ is).
const clockTicks = 100

// ProcSample is one reading of a process from /proc.
type ProcSample struct {
	CPUSeconds float64 // user + system time of every thread so far
	RSSBytes   int64   // resident set now (VmRSS)
	HWMBytes   int64   // peak resident set since the process started (VmHWM)
	// WrittenBytes is what the process has sent to storage so far
	// (write_bytes in /proc/PID/io: its file writes, the database's WAL and
	// checkpoints among them; not its sockets), or -1 where the kernel does
	// not say (no task I/O accounting, or another user's process).
	WrittenBytes int64
	// Switches is how many times the process's threads have given up a
	// CPU so far, and Waits how many of those were to wait (voluntary:
	// each ends in a wake-up, which a VM's idle CPUs make dear; the rest
	// were taken by another task). Summed over the threads alive now (a
	// thread that exited takes its counts with it); -1 where the kernel
	// does not say.
	Switches, Waits int64
}

// ReadProc reads a process's CPU time and memory from /proc.
func ReadProc(pid int) (ProcSample, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ProcSample{}, fmt.Errorf("read cpu time of pid %d: %w", pid, err)
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return ProcSample{}, fmt.Errorf("pid %d: %w", pid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ProcSample{}, fmt.Errorf("read memory of pid %d: %w", pid, err)
	}
	written := int64(-1)
	if io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid)); err == nil && bytes.Contains(io, []byte("write_bytes:")) {
		written = procField(io, "write_bytes:")
	}
	switches, waits := threadSwitches(pid)
	return ProcSample{CPUSeconds: cpu, RSSBytes: procField(status, "VmRSS:") * 1024, HWMBytes: procField(status, "VmHWM:") * 1024,
		WrittenBytes: written, Switches: switches, Waits: waits}, nil
}

// threadSwitches sums context switches, all and voluntary, over the
// threads in /proc/PID/task (each thread's status counts its own only,
// the process's main thread's included), or -1, -1 where none says.
func threadSwitches(pid int) (all, voluntary int64) {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return -1, -1
	}
	seen := false
	for _, e := range ents {
		status, err := os.ReadFile(filepath.Join(dir, e.Name(), "status"))
		if err != nil || !bytes.Contains(status, []byte("voluntary_ctxt_switches:")) {
			continue // exited since the listing, or not counted here
		}
		v := procField(status, "voluntary_ctxt_switches:")
		voluntary += v
		all += v + procField(status, "nonvoluntary_ctxt_switches:")
		seen = true
	}
	if !seen {
		return -1, -1
	}
	return all, voluntary
}

// parseStatCPU reads utime + stime (fields 14 and 15) from /proc/PID/stat.
// The command name (field 2) may hold spaces and parentheses, so fields are
// counted from its closing parenthesis.
func parseStatCPU(stat []byte) (float64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("unexpected /proc stat line %q", stat)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state), so field n is f[n-3].
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat line %q", stat)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc stat times %q %q", f[11], f[12])
	}
	return float64(utime+stime) / clockTicks, nil
}

// procField is the number after field in a /proc file of "name: value"
// lines (status, io), 0 when the field is missing.
func procField(b []byte, field string) int64 {
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		line := s.Text()
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// MachineTimes is the whole machine's CPU time so far, in CPU seconds.
type MachineTimes struct {
	Busy  float64 // all but idle and iowait, steal included
	Total float64
	// Steal is time the hypervisor ran something else while this machine's
	// CPUs had work: on a VM, the process stalls for it, whatever it does.
	Steal float64
}

// MachineCPU reads the whole machine's CPU time from /proc/stat, to tell
// how much else ran during a measurement.
func MachineCPU() (MachineTimes, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return MachineTimes{}, fmt.Errorf("read machine cpu: %w", err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return parseMachineCPU(string(line))
}

// parseMachineCPU reads /proc/stat's first line: "cpu user nice system
// idle iowait irq softirq steal …" in ticks (guest time is already in user).
func parseMachineCPU(line string) (MachineTimes, error) {
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return MachineTimes{}, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var sum, idle, steal int64
	for i, v := range f[1:9] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return MachineTimes{}, fmt.Errorf("unexpected /proc/stat line %q: %w", line, err)
		}
		sum += n
		switch i {
		case 3, 4:
			idle += n
		case 7:
			steal = n
		}
	}
	return MachineTimes{Busy: float64(sum-idle) / clockTicks, Total: float64(sum) / clockTicks, Steal: float64(steal) / clockTicks}, nil
}

// ListenerPID finds the process listening on a local TCP port, from
// /proc/net/tcp{,6} and the socket links in /proc/*/fd. It sees only
// processes this user may inspect.
func ListenerPID(port int) (int, error) {
	inodes := map[string]bool{}
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for _, inode := range listeningInodes(b, port) {
			inodes[inode] = true
		}
	}
	if len(inodes) == 0 {
		return 0, fmt.Errorf("no process listens on port %d (give --pid)", port)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil {
			continue
		}
		inode, ok := strings.CutPrefix(link, "socket:[")
		if !ok || !inodes[strings.TrimSuffix(inode, "]")] {
			continue
		}
		pid, err := strconv.Atoi(strings.Split(fd, "/")[2])
		if err == nil {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("the process listening on port %d is not visible here (give --pid)", port)
}

// listeningInodes reads the socket inodes in state LISTEN (0A) on port from
// a /proc/net/tcp table.
func listeningInodes(table []byte, port int) []string {
	var out []string
	want := fmt.Sprintf(":%04X", port)
	s := bufio.NewScanner(bytes.NewReader(table))
	s.Scan() // header
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) < 10 || f[3] != "0A" || !strings.HasSuffix(f[1], want) {
			continue
		}
		out = append(out, f[9])
	}
	return out
}

// FileSizes is the size of hookflow dev's SQLite database: its main file and
// its run list (devdb.VisibilityFile), with their -wal and -shm files.
type FileSizes struct {
	DB  int64 `json:"db_bytes"`
	WAL int64 `json:"wal_bytes"`
	SHM int64 `json:"shm_bytes"`
}

// Total is all of them together.
func (f FileSizes) Total() int64 { return f.DB + f.WAL + f.SHM }

// ReadFileSizes stats the dev database at db and its companions; a missing
// file counts as empty.
func ReadFileSizes(db string) FileSizes {
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	var f FileSizes
	for _, file := range []string{db, devdb.VisibilityFile(db)} {
		f.DB += size(file)
		f.WAL += size(file + "-wal")
		f.SHM += size(file + "-shm")
	}
	return f
}
