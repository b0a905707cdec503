// Package dashboard serves hookflow's delivery dashboard at /dashboard/: one
// page, its assets embedded in the binary, and the JSON it polls. Counts,
// rates and latencies come from this process's own metrics (a
// telemetry.History of the last hour); failed runs, search and integration
// health come from Temporal and so are the same on every process. Outside
// loopback every data request needs the project's admin token.
package dashboard
