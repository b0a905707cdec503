package admin

import "net/url"

// unescape decodes one path part: workflow ids hold "/", sent as %2F.
func unescape(s string) (string, error) { return url.PathUnescape(s) }
