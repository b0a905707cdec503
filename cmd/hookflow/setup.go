package main

import (
	"context"
	"fmt"
	"maps"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/internal/setup"
	"github.com/hookflow/hookflow/workflows"
)

// allSearchAttributes is hookflow's own attributes plus the project's.
func allSearchAttributes(p *project.Project) map[string]enumspb.IndexedValueType {
	all := workflows.SearchAttributeTypes()
	maps.Copy(all, p.SearchAttributeTypes())
	return all
}

func runSetup(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "setup", "[flags]")
	addr := fs.String("temporal", "127.0.0.1:7233", "Temporal frontend address")
	namespace := fs.String("namespace", "default", "Temporal namespace")
	dir := fs.String("project", ".", "project directory, for its search_attributes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	c, err := dialOperator(e, *addr, *namespace)
	if err != nil {
		return err
	}
	defer c.Close()
	added, err := setup.RegisterSearchAttributes(ctx, c, *namespace, allSearchAttributes(p))
	if err != nil {
		return fmt.Errorf("namespace %s on %s: %w", *namespace, *addr, err)
	}
	if len(added) == 0 {
		fmt.Fprintf(e.stdout, "namespace %s already has every search attribute hookflow and the project use\n", *namespace)
		return nil
	}
	fmt.Fprintf(e.stdout, "registered on namespace %s: %s\n", *namespace, strings.Join(added, ", "))
	return nil
}
