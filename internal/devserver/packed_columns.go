package devserver

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/klauspost/compress/s2"
	"modernc.org/sqlite"
)

// The dev server keeps the largest of Temporal's blobs compressed: a run's
// history batches (history_node.data), its mutable state (executions.data)
// and its history tree (history_tree.data), about two thirds of a webhook
// run's bytes in the file. They are protobuf with JSON payloads inside
// and shrink to 55% with S2 (Snappy's successor: 2-5 µs a blob, 1-2 µs to
// read back). SQLite does the work, through two functions the statements
// Temporal's plugin runs are rewritten to call: its writes store
// hookflow_pack(:data), its reads return hookflow_unpack(data) AS data.
// Every statement goes through the statement cache's connection
// (statement_cache.go), compiled or as text, and is rewritten there.
//
// A packed value starts with packedS2 (0x00 0x01): a protobuf message never
// starts with 0x00 (field number 0 does not exist), so the rows Temporal's
// plugin wrote as they are, in files from before, read back unchanged, and
// a value that would not shrink is stored as it is.

const (
	packFunction   = "hookflow_pack"
	unpackFunction = "hookflow_unpack"
	// minPacked is the smallest value worth compressing: below it the
	// marker and S2's header eat what is saved.
	minPacked = 64
)

var packedS2 = []byte{0x00, 0x01}

func init() {
	sqlite.MustRegisterDeterministicScalarFunction(packFunction, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		b, ok := args[0].([]byte)
		if !ok { // NULL, or not a blob: stored as it is
			return args[0], nil
		}
		return pack(b), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction(unpackFunction, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		b, ok := args[0].([]byte)
		if !ok {
			return args[0], nil
		}
		return unpack(b)
	})
}

// pack is b compressed behind the marker, or b when that is not smaller.
func pack(b []byte) []byte {
	if len(b) < minPacked {
		return b
	}
	out := make([]byte, len(packedS2), len(packedS2)+s2.MaxEncodedLen(len(b)))
	copy(out, packedS2)
	out = append(out, s2.Encode(out[len(packedS2):cap(out)], b)...)
	if len(out) >= len(b) {
		return b
	}
	return out
}

// unpack is what pack was given: b itself when b is not packed.
func unpack(b []byte) ([]byte, error) {
	if len(b) < len(packedS2) || b[0] != packedS2[0] || b[1] != packedS2[1] {
		return b, nil
	}
	out, err := s2.Decode(nil, b[len(packedS2):])
	if err != nil {
		return nil, fmt.Errorf("dev server: a compressed blob in the database is damaged: %w", err)
	}
	return out, nil
}

// Statement forms: Temporal's SQLite plugin writes the packed columns with
// named parameters (:data) in INSERT, REPLACE and UPDATE ... SET data =
// :data, and reads them as a plain column of a one-table SELECT.
var (
	packedTable  = `(?:history_node|history_tree|executions)`
	packedWrite  = regexp.MustCompile(`(?is)^\s*(?:INSERT|REPLACE)\s+INTO\s+` + packedTable + `\s*\(`)
	packedUpdate = regexp.MustCompile(`(?is)^\s*UPDATE\s+` + packedTable + `\s+SET\s`)
	packedRead   = regexp.MustCompile(`(?is)^(\s*SELECT\s+)(.*?)(\s+FROM\s+` + packedTable + `\b)`)
	packedAlias  = regexp.MustCompile(`(?i)\b` + packedTable + `\s+(?:AS\s+)?(\w+)`)
	mentionsPack = regexp.MustCompile(`(?i)\b` + packedTable + `\b`)
	dataParam    = regexp.MustCompile(`:data\b`)
	dataSet      = regexp.MustCompile(`(?i)\bdata\s*=\s*:data\b`)
	dataWord     = regexp.MustCompile(`(?i)[\w.:]*\bdata\b`)
)

var errUnpackedStatement = errors.New("dev server: a statement uses a compressed column in a form the dev server does not rewrite")

// packColumns is query with the packed columns written through
// hookflow_pack and read through hookflow_unpack. A statement that uses one
// in another form is an error rather than a run on compressed bytes: a
// Temporal upgrade that adds one fails its first use (and the tests).
func packColumns(query string) (string, error) {
	if !strings.Contains(query, "history_") && !strings.Contains(query, "executions") {
		return query, nil // the common case, without a regular expression
	}
	if !mentionsPack.MatchString(query) {
		return query, nil
	}
	out, rest := query, query // rest: out without what was rewritten
	switch {
	case packedWrite.MatchString(query):
		out = dataParam.ReplaceAllString(query, packed)
		if m := packedWrite.FindStringIndex(out); strings.Contains(out, packed) {
			columns, after, _ := strings.Cut(out[m[1]:], ")")
			rest = out[:m[1]] + dataWord.ReplaceAllStringFunc(columns, dropData) + ")" + after
		}
	case packedUpdate.MatchString(query):
		out = dataSet.ReplaceAllString(query, "data = "+packed)
		rest = strings.ReplaceAll(out, "data = "+packed, "")
	case packedRead.MatchString(query):
		m := packedRead.FindStringSubmatchIndex(query)
		columns := strings.Split(query[m[4]:m[5]], ",")
		for i, c := range columns {
			if name := strings.TrimSpace(c); strings.EqualFold(name, "data") {
				columns[i] = strings.Replace(c, name, unpacked, 1)
			}
		}
		out = query[:m[4]] + strings.Join(columns, ",") + query[m[5]:]
		rest = strings.ReplaceAll(out, unpacked, "")
	}
	if n := packedUses(strings.ReplaceAll(rest, packed, "")); n > 0 {
		return "", fmt.Errorf("%w: %s", errUnpackedStatement, strings.Join(strings.Fields(query), " "))
	}
	return out, nil
}

// The rewritten forms.
const (
	packed   = packFunction + "(:data)"
	unpacked = unpackFunction + "(data) AS data"
)

// dropData removes a column list's data column from what packedUses counts.
func dropData(w string) string {
	if strings.EqualFold(w, "data") {
		return ""
	}
	return w
}

// packedUses counts the words in query that may be a packed column: data,
// :data, and alias.data for an alias of a packed table. Another table's
// column (ce.data in a join) is not one.
func packedUses(query string) int {
	aliases := map[string]bool{"history_node": true, "history_tree": true, "executions": true}
	for _, m := range packedAlias.FindAllStringSubmatch(query, -1) {
		aliases[strings.ToLower(m[1])] = true
	}
	n := 0
	for _, w := range dataWord.FindAllString(query, -1) {
		lower := strings.ToLower(w)
		switch {
		case lower == "data", lower == ":data":
			n++
		case strings.HasSuffix(lower, ".data"):
			if aliases[strings.TrimSuffix(lower, ".data")] {
				n++
			}
		}
	}
	return n
}
