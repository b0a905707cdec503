package devserver

import (
	"sync"

	"modernc.org/libc"
)

// SQLite's memory comes from modernc.org/libc's malloc, which hands out
// blocks up to 16 KB from 64 KB pages, one size class (a power of two) per
// page, and returns a page to the kernel the moment its last block is
// freed. Most of what SQLite allocates for a statement lives only while
// the statement runs (the values it binds and returns, the blobs the
// packed columns go through), so on a quiet class every statement mapped
// a page and unmapped it again: an mmap and up to two munmaps (the
// alignment trim) for the malloc, a page fault, an munmap for the free,
// about 29 µs in all against 32 ns on a page that stays
// (BenchmarkSQLiteBlock), each under libc's one allocator lock. In a
// burst that was 6–7% of the dev server's CPU.
//
// pinHeapPages keeps pages of each size class mapped for the life of the
// process by holding one block in each: as many pages as leave 32 blocks
// free beside the held ones (one page for blocks up to 1 KB, sixteen for
// 16 KB ones). A page with a block held is never empty, so the blocks
// statements take and give back come and go on pages that stay, as in any
// C malloc, until more than 32 blocks of one size are in use at once. It
// costs the address space of those pages (about 2 MB) and about 0.5 MB of
// memory touched. A later libc whose allocator keeps its pages anyway
// makes this a handful of harmless allocations.
var pinHeapPages = sync.OnceFunc(func() {
	tls := libc.NewTLS()
	defer tls.Close()
	for size := heapMinBlock; size <= heapMaxBlock; size <<= 1 {
		held := map[uintptr]bool{} // heap page -> one of its blocks is kept
		var spare []uintptr
		for len(spare) < heapPinnedBlocks {
			p := libc.Xmalloc(tls, libc.Tsize_t(size))
			if p == 0 {
				break // out of memory: SQLite will say so itself
			}
			if page := p &^ (heapPage - 1); !held[page] {
				held[page] = true // kept: never freed
				continue
			}
			spare = append(spare, p)
		}
		for _, p := range spare {
			libc.Xfree(tls, p)
		}
	}
})

const (
	// heapPage is the size (and alignment) of libc's allocator pages.
	heapPage = 64 << 10
	// heapMinBlock and heapMaxBlock are the smallest and largest blocks
	// that share pages: 16 bytes (malloc's alignment) to a quarter page
	// (larger blocks get a mapping of their own; SQLite asks for few).
	heapMinBlock = 16
	heapMaxBlock = heapPage / 4
	// heapPinnedBlocks is how many blocks of one size can be in use at once
	// before the allocator maps a page that is not kept.
	heapPinnedBlocks = 32
)
