package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"

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

// minRedelivery is the shortest retention hookflow asks for: providers
// redeliver an event for up to 3 days (Stripe, the longest of the presets),
// and a redelivery must find the run it started to be a duplicate.
const minRedelivery = 72 * time.Hour

func runSetup(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "setup", "[flags]")
	tf := addTemporalFlags(fs, defaultTemporal)
	dir := fs.String("project", ".", "project directory, for its search_attributes and triggers")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for new search attributes to become usable")
	cloud := fs.Bool("cloud", false, "Temporal Cloud: print the tcld commands that register the attributes (detected for *.tmprl.cloud and *.api.temporal.io)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	c, err := dialOperator(e, tf)
	if err != nil {
		return err
	}
	defer c.Close()
	want := allSearchAttributes(p)
	if *cloud || setup.IsCloud(c.Address) {
		return setupCloud(ctx, e, c, want, p, *wait)
	}
	added, err := setup.RegisterSearchAttributes(ctx, c, c.Namespace, want)
	if err != nil {
		var denied *serviceerror.PermissionDenied
		var unimplemented *serviceerror.Unimplemented
		if errors.As(err, &denied) || errors.As(err, &unimplemented) {
			printCloudCommands(e, c.Namespace, want)
			return fmt.Errorf("namespace %s on %s does not let this client add search attributes (%v); if it is Temporal Cloud, run the command above", c.Namespace, c.Address, err)
		}
		return fmt.Errorf("namespace %s on %s: %w", c.Namespace, c.Address, err)
	}
	if len(added) == 0 {
		fmt.Fprintf(e.stdout, "namespace %s already has every search attribute hookflow and the project use\n", c.Namespace)
	} else {
		fmt.Fprintf(e.stdout, "registered on namespace %s: %s; waiting until they can be used…\n", c.Namespace, strings.Join(added, ", "))
		if err := setup.WaitUsable(ctx, c, c.Namespace, pick(want, added), *wait); err != nil {
			return fmt.Errorf("namespace %s: %w", c.Namespace, err)
		}
		fmt.Fprintf(e.stdout, "search attributes usable on namespace %s\n", c.Namespace)
	}
	warnRetention(ctx, e, c, p, false)
	return nil
}

// setupCloud checks a Temporal Cloud namespace: its search attributes are
// added with tcld (or the Cloud UI, Terraform), not through the SDK.
func setupCloud(ctx context.Context, e env, c *operator, want map[string]enumspb.IndexedValueType, p *project.Project, wait time.Duration) error {
	missing := want
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: c.Namespace})
	if err == nil {
		missing = map[string]enumspb.IndexedValueType{}
		for name, typ := range want {
			got, ok := have.GetCustomAttributes()[name]
			switch {
			case !ok:
				missing[name] = typ
			case got != typ:
				return fmt.Errorf("search attribute %s is registered on %s as %s, the project wants %s: rename it in the project", name, c.Namespace, got, typ)
			}
		}
	}
	if len(missing) > 0 {
		printCloudCommands(e, c.Namespace, missing)
		if err != nil {
			return fmt.Errorf("could not list the search attributes of %s (%v): register them with the command above if they are missing, then run hookflow setup again to check", c.Namespace, err)
		}
		return fmt.Errorf("namespace %s lacks %d search attribute(s): register them with the command above, then run hookflow setup again to check", c.Namespace, len(missing))
	}
	if err := setup.WaitUsable(ctx, c, c.Namespace, want, wait); err != nil {
		return fmt.Errorf("namespace %s: %w", c.Namespace, err)
	}
	fmt.Fprintf(e.stdout, "namespace %s (Temporal Cloud) has every search attribute hookflow and the project use\n", c.Namespace)
	warnRetention(ctx, e, c, p, true)
	return nil
}

func printCloudCommands(e env, namespace string, attrs map[string]enumspb.IndexedValueType) {
	fmt.Fprintf(e.stdout, "On Temporal Cloud, search attributes are added with tcld (or the Cloud UI or Terraform):\n\n")
	for _, cmd := range setup.CloudCommands(namespace, attrs) {
		fmt.Fprintf(e.stdout, "  %s\n\n", cmd)
	}
}

// warnRetention warns when closed runs, and so workflow-id dedupe, are
// dropped sooner than a provider may redeliver an event.
func warnRetention(ctx context.Context, e env, c *operator, p *project.Project, cloud bool) {
	ret, err := setup.Retention(ctx, c, c.Namespace)
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: could not read the retention of namespace %s: %v\n", c.Namespace, err)
		return
	}
	need := retentionNeed(p)
	if ret >= need {
		return
	}
	fix := fmt.Sprintf("temporal operator namespace update --namespace %s --retention %dh", c.Namespace, int(need.Hours()))
	if cloud {
		fix = fmt.Sprintf("tcld namespace retention set --namespace %s --retention-days %d", c.Namespace, int((need+23*time.Hour)/(24*time.Hour)))
	}
	fmt.Fprintf(e.stderr, "warning: namespace %s keeps closed runs for %s, and workflow-id dedupe lasts exactly as long; this project needs %s (providers redeliver for up to 3 days, and its longest dedupe_window). A redelivery after %s starts a second run. Raise it:\n  %s\n",
		c.Namespace, days(ret), days(need), days(ret), fix)
}

// retentionNeed is how long redeliveries of the project's events may come.
func retentionNeed(p *project.Project) time.Duration {
	need := minRedelivery
	for _, name := range p.Triggers.Names() {
		if t, ok := p.Triggers.Get(name); ok && t.DedupeWindow > need {
			need = t.DedupeWindow
		}
	}
	return need
}

// days prints whole days as "3d", else hours.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d > 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

func pick(all map[string]enumspb.IndexedValueType, names []string) map[string]enumspb.IndexedValueType {
	out := make(map[string]enumspb.IndexedValueType, len(names))
	for _, n := range names {
		out[n] = all[n]
	}
	return out
}
