package integrations

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// URL paths built from event data. A value from a payload must never change
// where a credentialed call goes: it stays one path segment, it cannot climb
// out of the integration's base path, and it cannot add a query or cut the
// path with a fragment. See docs/security.md.

// PathFields is implemented by an operation whose `with` fields hold a whole
// URL path appended to the integration's base URL (the generic `http` and
// `webhook` kinds: `path`). The rules loader renders every ${{ }} inside
// these fields as one percent-encoded path segment, and the operation joins
// the result with JoinPath. A vendor kind that puts one value (a record id)
// into its URL does not implement it: it escapes the value itself with
// SegmentURL.
type PathFields interface {
	PathFields() []string
}

// URLPaths reports which `with` fields of an operation are URL paths, for
// the rules loader (rules.Options.URLPaths). Unknown operations have none.
func (s *Set) URLPaths(integration, operation string) []string {
	_, op, err := s.lookup(integration, operation)
	if err != nil {
		return nil
	}
	if pf, ok := op.(PathFields); ok {
		return pf.PathFields()
	}
	return nil
}

// CheckSegment refuses a path segment value that would change the shape of
// a URL once a server or proxy decodes and normalises it: empty, "." or "..",
// or holding one of those between "/" or "\" or before ";" (a server that
// decodes %2F, treats "\" as "/" or drops ";params" before resolving dot
// segments would climb).
func CheckSegment(s string) error {
	if s == "" {
		return errors.New("a URL path segment cannot be empty")
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	if len(parts) == 0 {
		return errors.New("a URL path segment cannot be only slashes")
	}
	for _, part := range parts {
		// Servers such as Tomcat drop ";params" before resolving: "..;" is "..".
		if dot, _, _ := strings.Cut(part, ";"); dot == "." || dot == ".." {
			return fmt.Errorf("a URL path segment cannot be or contain the dot segment %q", part)
		}
	}
	return nil
}

// SegmentURL appends segments to base, each percent-encoded as one path
// segment (RFC 3986: "/", "?", "#", ";", "%" and "\" are escaped). A segment
// CheckSegment refuses is an error naming it, never sent: escaping a dot
// segment does not help, since servers decode %2E before resolving. Vendor
// kinds use it for every value that goes into a URL path:
//
//	u, err := integrations.SegmentURL(a.base, "crm", "v3", "objects", "contacts", id)
//	if err != nil {
//		return nil, fmt.Errorf("with.contact_id: %w", err)
//	}
func SegmentURL(base *url.URL, segments ...string) (string, error) {
	u := *base
	raw := strings.TrimRight(u.EscapedPath(), "/")
	plain := strings.TrimRight(u.Path, "/")
	for _, s := range segments {
		if err := CheckSegment(s); err != nil {
			return "", err
		}
		raw += "/" + url.PathEscape(s)
		plain += "/" + s
	}
	u.Path, u.RawPath = plain, raw
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// JoinPath appends path, an escaped path such as a rule's `with.path`
// rendered with each ${{ }} as one encoded segment, to base, and adds query
// (each value encoded) after base's own configured query. Literal parts keep their spelling (";", "@", ":"
// stay as written); what a URL must not carry in its path is refused:
// a scheme or host, "?" (queries come from the query map, each value
// encoded) and "#", malformed percent-escapes, and any segment that decodes
// to "." or ".." or holds one between "/" or "\". The result is checked to
// lie under base's path.
func JoinPath(base *url.URL, path string, query url.Values) (string, error) {
	u := *base
	u.Fragment = ""
	if path != "" {
		switch {
		case strings.HasPrefix(path, "//") || hasScheme(path):
			return "", errors.New("must be a path below the integration's URL, not a URL")
		case strings.Contains(path, "?"):
			return "", errors.New("must not contain ?: give query parameters in with.query")
		case strings.Contains(path, "#"):
			return "", errors.New("must not contain #")
		}
		segs := strings.Split(strings.TrimLeft(path, "/"), "/")
		raw := strings.TrimRight(u.EscapedPath(), "/")
		for i, seg := range segs {
			plain, err := url.PathUnescape(seg)
			if err != nil {
				return "", fmt.Errorf("segment %d: malformed %%-escape in %q", i+1, seg)
			}
			if seg == "" && i == len(segs)-1 {
				raw += "/" // a trailing slash is the rule's to write
				continue
			}
			if err := CheckSegment(plain); err != nil {
				return "", fmt.Errorf("segment %d: %w", i+1, err)
			}
			raw += "/" + escapeLoose(seg)
		}
		p, err := url.PathUnescape(raw)
		if err != nil {
			return "", fmt.Errorf("malformed %%-escape: %w", err)
		}
		u.Path, u.RawPath = p, raw
		if u.EscapedPath() != raw {
			// Go would re-escape from the decoded path, turning %2F back into "/".
			return "", fmt.Errorf("cannot be sent as written")
		}
	}
	if !under(&u, base) {
		return "", fmt.Errorf("leaves the integration's base path %q", base.EscapedPath())
	}
	if len(query) > 0 {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query.Encode()
	}
	return u.String(), nil
}

// hasScheme reports whether p starts like "scheme:" before any "/".
func hasScheme(p string) bool {
	ref, err := url.Parse(p)
	return err == nil && (ref.Scheme != "" || ref.Host != "" || ref.User != nil)
}

// escapeLoose keeps a segment's existing %-escapes and its legal characters
// as written, and escapes only what may not appear raw in a path.
func escapeLoose(seg string) string {
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		switch {
		case c == '%':
			b.WriteByte(c) // already checked to start a valid escape
		case legalInPath(c):
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// legalInPath: RFC 3986 pchar without "%" (unreserved, sub-delims, ":", "@").
func legalInPath(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

// under reports whether u's decoded path segments start with all of base's.
func under(u, base *url.URL) bool {
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return false
	}
	b := strings.TrimRight(base.EscapedPath(), "/")
	p := u.EscapedPath()
	return p == b || strings.HasPrefix(p, b+"/") || (b == "" && p == "")
}
