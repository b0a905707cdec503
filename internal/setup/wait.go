package setup

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// WaitUsable returns once every attribute in attrs can be used in a
// visibility query of the namespace, or fails after within. Registering an
// attribute is not the same as its being usable: each frontend learns of it
// when it next refreshes its namespace cache (about 10 s on a self-hosted
// cluster), and Elasticsearch when its mapping is updated.
func WaitUsable(ctx context.Context, c client.Client, namespace string, attrs map[string]enumspb.IndexedValueType, within time.Duration) error {
	if len(attrs) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	pending := names
	var last error
	for {
		var still []string
		for _, name := range pending {
			if err := usable(ctx, c, namespace, name, attrs[name]); err != nil {
				still = append(still, name)
				last = err
			}
		}
		if len(still) == 0 {
			return nil
		}
		pending = still
		select {
		case <-ctx.Done():
			return fmt.Errorf("search attributes %s registered but not usable after %s (last answer: %v); run setup again in a minute, or raise --wait", strings.Join(pending, ", "), within, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// usable asks Temporal to run a query on the attribute: it answers only when
// the frontend knows the attribute.
func usable(ctx context.Context, c client.Client, namespace, name string, typ enumspb.IndexedValueType) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return err
	}
	if _, ok := have.GetCustomAttributes()[name]; !ok {
		return fmt.Errorf("%s is not listed yet", name)
	}
	_, err = c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Namespace: namespace,
		Query:     name + " = " + zeroLiteral(typ),
	})
	return err
}

// zeroLiteral is a value of the type, for a query that only has to parse.
func zeroLiteral(typ enumspb.IndexedValueType) string {
	switch typ {
	case enumspb.INDEXED_VALUE_TYPE_INT, enumspb.INDEXED_VALUE_TYPE_DOUBLE:
		return "0"
	case enumspb.INDEXED_VALUE_TYPE_BOOL:
		return "false"
	case enumspb.INDEXED_VALUE_TYPE_DATETIME:
		return `"2000-01-01T00:00:00Z"`
	default:
		return `""`
	}
}
