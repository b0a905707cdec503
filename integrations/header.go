package integrations

import "fmt"

// CheckHeader reports whether name and value can be sent as an HTTP header,
// so that bad input fails as bad input rather than as a network error.
func CheckHeader(name, value string) error {
	if name == "" {
		return fmt.Errorf("header name is empty")
	}
	for i := range len(name) {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("header name %q has a character not allowed in header names", name)
		}
	}
	for i := range len(value) {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("header %s: value has a control character (such as a line break)", name)
		}
	}
	return nil
}

func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
