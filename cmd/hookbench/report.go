package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hookflow/hookflow/internal/bench"
)

// runReport is everything one invocation measured.
type runReport struct {
	Machine machineInfo    `json:"machine"`
	Args    []string       `json:"args"`
	Shape   string         `json:"shape"`
	Calls   int            `json:"calls_per_event"`
	Results []bench.Result `json:"results"`
	Ratios  []ratio        `json:"ratios,omitempty"`
}

type machineInfo struct {
	CPUs    int    `json:"cpus"`
	Memory  string `json:"memory"`
	GOOS    string `json:"goos"`
	GOARCH  string `json:"goarch"`
	Go      string `json:"go"`
	LoadAvg string `json:"loadavg_at_start"`
}

// ratio compares hookflow with a baseline measured in the same round.
type ratio struct {
	Round        int     `json:"round"`
	Baseline     string  `json:"baseline"`
	CPUPerEvent  float64 `json:"cpu_per_event"`   // hookflow ÷ baseline
	DeliveredPS  float64 `json:"delivered_per_s"` // hookflow ÷ baseline
	EndToEndP99  float64 `json:"end_to_end_p99"`  // hookflow ÷ baseline
	EndToEndP50  float64 `json:"end_to_end_p50"`
	BaselineCPUm float64 `json:"baseline_cpu_ms_per_event"`
}

func ratios(results []bench.Result) []ratio {
	var out []ratio
	hook := map[int]bench.Result{}
	for _, r := range results {
		if r.Phase == "hookflow" {
			hook[r.Round] = r
		}
	}
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	for _, r := range results {
		h, ok := hook[r.Round]
		if !ok || r.Phase == "hookflow" {
			continue
		}
		out = append(out, ratio{
			Round: r.Round, Baseline: r.Phase,
			CPUPerEvent:  div(h.CPUPerEventMs, r.CPUPerEventMs),
			DeliveredPS:  div(h.DeliveredPerSec, r.DeliveredPerSec),
			EndToEndP99:  div(h.EndToEnd.P99, r.EndToEnd.P99),
			EndToEndP50:  div(h.EndToEnd.P50, r.EndToEnd.P50),
			BaselineCPUm: r.CPUPerEventMs,
		})
	}
	return out
}

func printReport(w io.Writer, rep runReport) {
	fmt.Fprintf(w, "hookbench: %s, %d call(s) per event; %d CPUs, %s, load average at start %s\n",
		rep.Shape, rep.Calls, rep.Machine.CPUs, rep.Machine.Memory, rep.Machine.LoadAvg)
	for _, r := range rep.Results {
		fmt.Fprintf(w, "\n== round %d: %s\n", r.Round, r.Phase)
		fmt.Fprintf(w, "  events        sent %d, acknowledged %d (%.1f/s), delivered %d (%.1f/s)\n", r.Registered, r.Acked, r.AckedPerSec, r.Delivered, r.DeliveredPerSec)
		fmt.Fprintf(w, "  lost          %d (acknowledged, not delivered when the drain ended; partial %d), duplicated effects %d, delivered though not acknowledged %d, stray calls %d\n", r.Lost, r.Partial, r.Duplicates, r.Unacked, r.Stray)
		if len(r.Non2xx) > 0 {
			var parts []string
			for _, k := range r.SortedNon2xx() {
				parts = append(parts, fmt.Sprintf("%s ×%d", k, r.Non2xx[k]))
			}
			fmt.Fprintf(w, "  non-2xx       %s\n", strings.Join(parts, ", "))
		}
		fmt.Fprintf(w, "  end to end    %s\n", summary(r.EndToEnd))
		fmt.Fprintf(w, "  acknowledged  %s\n", summary(r.Ack))
		fmt.Fprintf(w, "  cpu           %.2f ms per delivered event", r.CPUPerEventMs)
		fmt.Fprintf(w, " (other processes on the machine: %.2f cores)\n", r.OtherCores)
		for _, p := range r.Procs {
			fmt.Fprintf(w, "    %-32s pid %-7d %7.2f s  %6.2f ms/event  %.2f cores  rss %.0f → %.0f MB (peak %.0f)",
				p.Role, p.PID, p.CPUSeconds, p.CPUMsPerEvent, p.Cores, p.RSSStartMB, p.RSSEndMB, p.RSSPeakMB)
			if p.WrittenKBPerEvent > 0 {
				fmt.Fprintf(w, "  written %.1f KB/event", p.WrittenKBPerEvent)
			}
			if p.SwitchesPerEvent > 0 {
				fmt.Fprintf(w, "  switches %.1f/event (%.1f waits)", p.SwitchesPerEvent, p.WaitsPerEvent)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  steal         %.2f cores taken by the hypervisor on average; worst second %.0f%% of the CPUs", r.StealCores, r.StealWorst*100)
		if r.StealWorst > 0 {
			fmt.Fprintf(w, ", %.0f s in", r.StealWorstAt)
		}
		fmt.Fprintln(w)
		if r.DB != nil {
			fmt.Fprintf(w, "  database      %.1f KB per event; db %s → %s, wal %s → %s (max %s)\n", r.DB.BytesPerEvent/1024,
				size(r.DB.Start.DB), size(r.DB.End.DB), size(r.DB.Start.WAL), size(r.DB.End.WAL), size(r.DB.MaxWAL))
		}
		for _, m := range r.Windows {
			fmt.Fprintf(w, "  window %-2d     %s; delivered %d, %.2f ms cpu/event, rss %.0f MB, steal worst %.0f%%", m.Index+1, summary(m.EndToEnd), m.Delivered, m.CPUMsPerEvent, m.RSSEndMB, m.StealWorst*100)
			if m.DBEndBytes > 0 {
				fmt.Fprintf(w, ", db+wal %s (%+.1f KB per event)", size(m.DBEndBytes), m.DBBytesPerEvent/1024)
			}
			fmt.Fprintln(w)
		}
		if r.SampleEventID != "" && r.Phase == "hookflow" {
			fmt.Fprintf(w, "  a run         %s (hookbench history --temporal ADDR %s)\n", r.SampleEventID, r.SampleEventID)
		}
	}
	if len(rep.Ratios) > 0 {
		fmt.Fprintf(w, "\nhookflow ÷ baseline, same round:\n")
		for _, q := range rep.Ratios {
			fmt.Fprintf(w, "  round %d vs %-10s cpu/event ×%.3g (baseline %.2f ms)  delivered/s ×%.3g  p50 ×%.3g  p99 ×%.3g\n",
				q.Round, q.Baseline, q.CPUPerEvent, q.BaselineCPUm, q.DeliveredPS, q.EndToEndP50, q.EndToEndP99)
		}
	}
}

func summary(s bench.Summary) string {
	if s.Count == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max), s.Count)
}

func ms(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2f s", v/1000)
	}
	return fmt.Sprintf("%.1f ms", v)
}

func size(b int64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(b)/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}
