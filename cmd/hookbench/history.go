package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
)

// historyCommand lists a run's history events and their encoded sizes, the
// units the engine's persistence cost grows with.
func historyCommand(e env) *cobra.Command {
	var hostPort, namespace string
	cmd := &cobra.Command{
		Use:   "history WORKFLOW_ID",
		Short: "count and list a run's history events (e.g. the run hookbench names in its report)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := client.Dial(client.Options{HostPort: hostPort, Namespace: namespace, Logger: quietLogger{}})
			if err != nil {
				return fmt.Errorf("dial temporal at %s: %w", hostPort, err)
			}
			defer c.Close()
			it := c.GetWorkflowHistory(cmd.Context(), args[0], "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			n, total := 0, 0
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					return fmt.Errorf("history of %s: %w", args[0], err)
				}
				n++
				size := proto.Size(ev)
				total += size
				fmt.Fprintf(e.stdout, "%3d  %-40s %6d B\n", ev.GetEventId(), ev.GetEventType(), size)
			}
			fmt.Fprintf(e.stdout, "%d events, %d bytes\n", n, total)
			return nil
		},
	}
	cmd.Flags().StringVar(&hostPort, "temporal", "127.0.0.1:7233", "Temporal frontend host:port")
	cmd.Flags().StringVar(&namespace, "namespace", "default", "Temporal namespace")
	return cmd
}

// quietLogger drops the SDK's logs: the command prints what it found.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
