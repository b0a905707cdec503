package setup

import (
	"fmt"
	"net"
	"sort"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
)

// IsCloud reports whether address is a Temporal Cloud endpoint, where
// search attributes are managed with Cloud's own tools, not OperatorService.
func IsCloud(address string) bool {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		host = address
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return strings.HasSuffix(host, ".tmprl.cloud") || strings.HasSuffix(host, ".api.temporal.io")
}

// CloudCommands are the tcld commands that register attrs on a Temporal
// Cloud namespace (its id, <name>.<account>, is the SDK's namespace).
func CloudCommands(namespace string, attrs map[string]enumspb.IndexedValueType) []string {
	if len(attrs) == 0 {
		return nil
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "tcld namespace search-attributes add --namespace %s", namespace)
	for _, n := range names {
		fmt.Fprintf(&b, " \\\n    --search-attribute %s=%s", n, attrs[n])
	}
	return []string{b.String()}
}
