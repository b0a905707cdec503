package devserver

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/libc"
)

// TestSQLiteHeapPagesStayMapped: once the dev server has opened a database,
// blocks SQLite takes from libc's malloc and gives back, of every size that
// shares pages and up to heapPinnedBlocks of a size at once, leave their
// pages mapped, so the next statement does not map them again. Without the
// pinned pages each free of a size's last block unmapped its page (6–7% of
// a burst's CPU in system calls). It runs in a process of its own: blocks
// the package's other tests leave in use would keep pages mapped anyway.
func TestSQLiteHeapPagesStayMapped(t *testing.T) {
	if os.Getenv(heapChildEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteHeapPagesStayMapped$", "-test.count=1")
		cmd.Env = append(os.Environ(), heapChildEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the test's own process: %v\n%s", err, out)
		}
		return
	}
	db, err := openDirect(filepath.Join(t.TempDir(), "heap.db"))
	if err != nil {
		t.Fatal(err)
	}
	// A statement whose values pass through every size class, then the
	// connection is gone: nothing of SQLite's holds a block any more.
	for size := heapMinBlock; size <= heapMaxBlock; size <<= 1 {
		var out []byte
		if err := db.QueryRow(`SELECT `+packFunction+`(?)`, make([]byte, size)).Scan(&out); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	tls := libc.NewTLS()
	defer tls.Close()
	for size := heapMinBlock; size <= heapMaxBlock; size <<= 1 {
		var blocks []uintptr
		for range heapPinnedBlocks {
			p := libc.Xmalloc(tls, libc.Tsize_t(size))
			if p == 0 {
				t.Fatalf("malloc(%d) failed", size)
			}
			blocks = append(blocks, p)
		}
		for _, p := range blocks {
			libc.Xfree(tls, p)
		}
		maps := mappedRanges(t)
		for _, p := range blocks {
			if !maps.contain(p) {
				t.Errorf("a %d-byte block's page (%#x) was unmapped when the block was freed", size, p&^(heapPage-1))
				break
			}
		}
	}
}

// heapChildEnv marks TestSQLiteHeapPagesStayMapped's own process.
const heapChildEnv = "HOOKFLOW_TEST_HEAP_CHILD"

// addressRanges are the process's mappings, from /proc/self/maps.
type addressRanges [][2]uintptr

func (r addressRanges) contain(p uintptr) bool {
	for _, m := range r {
		if m[0] <= p && p < m[1] {
			return true
		}
	}
	return false
}

func mappedRanges(t *testing.T) addressRanges {
	t.Helper()
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r addressRanges
	s := bufio.NewScanner(f)
	for s.Scan() {
		span, _, _ := strings.Cut(s.Text(), " ")
		var lo, hi uintptr
		if _, err := fmt.Sscanf(span, "%x-%x", &lo, &hi); err != nil {
			t.Fatalf("/proc/self/maps line %q: %v", s.Text(), err)
		}
		r = append(r, [2]uintptr{lo, hi})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// BenchmarkSQLiteBlock is a block of SQLite's taken from libc's malloc and
// given back while no other block of its size is in use, after the dev
// server has opened a database: what each value a statement binds or a
// function returns costs on a quiet size class.
func BenchmarkSQLiteBlock(b *testing.B) {
	db, err := openDirect(filepath.Join(b.TempDir(), "heap.db"))
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	tls := libc.NewTLS()
	defer tls.Close()
	for _, size := range []int{256, 2 << 10, 8 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			for b.Loop() {
				libc.Xfree(tls, libc.Xmalloc(tls, libc.Tsize_t(size)))
			}
		})
	}
}
