// Package bench is the load tool's machinery, apart from its command line
// (cmd/hookbench): an open- or closed-loop load generator, a receiver that
// matches outbound calls to the events that caused them, latency histograms
// corrected for coordinated omission, /proc readings of a process's CPU and
// memory, and the two baselines (a bare HTTP forwarder and a bare Temporal
// workflow) that every run is compared with.
//
// It imports the Temporal SDK but never the Temporal server: the tool must
// stay a small, separate binary that measures a server without being one.
package bench
