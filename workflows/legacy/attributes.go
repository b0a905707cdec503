package legacy

import (
	"fmt"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/rules"
)

// attributeUpdates turns the plan's computed project attributes into typed
// upserts. A value that does not fit its type is skipped with a warning.
func attributeUpdates(values []activities.AttributeValue) (updates []temporal.SearchAttributeUpdate, problems []string) {
	for _, a := range values {
		u, err := attributeUpdate(a)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", a.Name, err))
			continue
		}
		updates = append(updates, u)
	}
	return updates, problems
}

func attributeUpdate(a activities.AttributeValue) (temporal.SearchAttributeUpdate, error) {
	switch a.Type {
	case "keyword":
		return temporal.NewSearchAttributeKeyKeyword(a.Name).ValueSet(scalar(a.Value)), nil
	case "text":
		return temporal.NewSearchAttributeKeyString(a.Name).ValueSet(scalar(a.Value)), nil
	case "keyword_list":
		list, ok := a.Value.([]any)
		if !ok {
			return nil, fmt.Errorf("want a list, got %T", a.Value)
		}
		var out []string
		for _, v := range list {
			out = append(out, scalar(v))
		}
		return temporal.NewSearchAttributeKeyKeywordList(a.Name).ValueSet(out), nil
	case "int":
		n, err := strconv.ParseInt(scalar(a.Value), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer, got %v", a.Value)
		}
		return temporal.NewSearchAttributeKeyInt64(a.Name).ValueSet(n), nil
	case "double":
		f, err := strconv.ParseFloat(scalar(a.Value), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number, got %v", a.Value)
		}
		return temporal.NewSearchAttributeKeyFloat64(a.Name).ValueSet(f), nil
	case "bool":
		b, ok := a.Value.(bool)
		if !ok {
			return nil, fmt.Errorf("want true or false, got %v", a.Value)
		}
		return temporal.NewSearchAttributeKeyBool(a.Name).ValueSet(b), nil
	case "datetime":
		t, err := time.Parse(time.RFC3339Nano, scalar(a.Value))
		if err != nil {
			return nil, fmt.Errorf("want an RFC 3339 time, got %v", a.Value)
		}
		return temporal.NewSearchAttributeKeyTime(a.Name).ValueSet(t), nil
	default:
		return nil, fmt.Errorf("unknown type %q", a.Type)
	}
}

// scalar is a value as text, the way templates print it.
func scalar(v any) string {
	s, err := rules.Format(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}
