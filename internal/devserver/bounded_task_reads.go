package devserver

import (
	"regexp"
	"strconv"
	"strings"
)

// Temporal's SQLite plugin reads a shard's timers (and its other scheduled
// tasks) from a key on:
//
//	WHERE shard_id = ?
//	AND ((visibility_timestamp >= ? AND task_id >= ?) OR visibility_timestamp > ?)
//	AND visibility_timestamp < ?
//	ORDER BY visibility_timestamp, task_id LIMIT ?
//
// SQLite does not take a bound from an OR, so it searches the table's key
// from the shard's first timer, not from the one asked for: each read goes
// again over every timer that fired and is still in the table (the timer
// queue deletes them in ranges when it records its progress, seconds
// apart), and the queue reads ahead for its next timer after every new
// one. At a steady 40 events/s, with a run's workflow-task timeout timer
// firing ten seconds after it, those reads were up to 6.4% of a profile
// (how many fired timers wait for deletion varies from run to run;
// BenchmarkTimerRead: with 5,000 of them in the table, a read took the
// time of all of them, 1.5-1.8 ms against 9 µs).
//
// boundTaskReads adds the bound both branches of the OR imply,
// visibility_timestamp >= MIN(the two timestamps), which SQLite searches
// the key from: the rows read are the same, as the bound holds for every
// row the OR takes. The statement's parameters are numbered (?1, ?2, …) so
// the bound can name two of them again; the values bound stay Temporal's.

// scheduledTaskRange is the OR of a scheduled-task read, its parameters
// numbered.
var scheduledTaskRange = regexp.MustCompile(`\(\(visibility_timestamp >= (\?\d+) AND task_id >= \?\d+\) OR visibility_timestamp > (\?\d+)\)`)

// boundTaskReads is query with the lower bound its OR implies made a
// condition of its own, or query itself when it has no such OR.
func boundTaskReads(query string) string {
	if !strings.Contains(query, "OR visibility_timestamp >") {
		return query // the common case, without a regular expression
	}
	numbered := numberParams(query)
	m := scheduledTaskRange.FindStringSubmatchIndex(numbered)
	if m == nil {
		return query
	}
	bound := "visibility_timestamp >= MIN(" + numbered[m[2]:m[3]] + ", " + numbered[m[4]:m[5]] + ") AND "
	return numbered[:m[0]] + bound + numbered[m[0]:]
}

// numberParams writes each ? of query as ?N, N its position. Temporal's
// statements that boundTaskReads changes have no ? in a string.
func numberParams(query string) string {
	var b strings.Builder
	n := 0
	for {
		i := strings.IndexByte(query, '?')
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		n++
		b.WriteString(query[:i+1])
		b.WriteString(strconv.Itoa(n))
		query = query[i+1:]
	}
}
