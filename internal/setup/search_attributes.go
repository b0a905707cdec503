// Package setup prepares a Temporal namespace for hookflow: it registers the
// search attributes runs carry. The embedded server calls it at start;
// `hookflow setup` calls it on any cluster.
package setup

import (
	"context"
	"fmt"
	"sort"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// RegisterSearchAttributes adds the attributes the namespace lacks and
// returns their names. An attribute registered with another type is an
// error: Temporal cannot change a type, so the project must rename it.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string, want map[string]enumspb.IndexedValueType) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	var added []string
	for name, typ := range want {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
			added = append(added, name)
		case got != typ:
			return nil, fmt.Errorf("search attribute %s is registered as %s, the project wants %s: rename it in the project", name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return nil, fmt.Errorf("add search attributes: %w", err)
	}
	sort.Strings(added)
	return added, nil
}
