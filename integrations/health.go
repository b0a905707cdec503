package integrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// HealthCheck is an integration's `health_check`: an endpoint probed every
// Interval. Any HTTP answer below 500 counts as up — the endpoint is
// reachable and serving, even if it wants credentials the probe does not
// send; network errors, timeouts and 5xx count as down.
type HealthCheck struct {
	URL      string        `yaml:"url" json:"url"`
	Method   string        `yaml:"method" json:"method"`
	Interval time.Duration `yaml:"interval" json:"interval"`
}

// Defaults and bounds of a health check.
const (
	DefaultHealthInterval = time.Minute
	MinHealthInterval     = 5 * time.Second
	probeTimeout          = 10 * time.Second
)

// Validate fills defaults and says what to fix.
func (h *HealthCheck) Validate() error {
	u, err := url.Parse(h.URL)
	if h.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("health_check.url must be an absolute http or https URL")
	}
	if h.Method == "" {
		h.Method = http.MethodGet
	}
	h.Method = strings.ToUpper(h.Method)
	if h.Method != http.MethodGet && h.Method != http.MethodHead {
		return fmt.Errorf("health_check.method %q: use GET or HEAD, so a probe changes nothing", h.Method)
	}
	if h.Interval == 0 {
		h.Interval = DefaultHealthInterval
	}
	if h.Interval < MinHealthInterval {
		return fmt.Errorf("health_check.interval %s is below the minimum of %s", h.Interval, MinHealthInterval)
	}
	return nil
}

// HealthChecks returns the integrations that have a health check, by name.
func (s *Set) HealthChecks() map[string]HealthCheck {
	out := map[string]HealthCheck{}
	for name, e := range s.byName {
		if e.HealthCheck != nil {
			out[name] = *e.HealthCheck
		}
	}
	return out
}

// Probe is one health check's outcome.
type Probe struct {
	Up      bool   `json:"up"`
	Status  int    `json:"status,omitempty"`
	Message string `json:"message"`
}

// Probe checks one integration's endpoint through the same SSRF-guarded
// client as its calls.
func (s *Set) Probe(ctx context.Context, integration string) (Probe, error) {
	e, ok := s.byName[integration]
	if !ok || e.HealthCheck == nil {
		return Probe{}, fmt.Errorf("integration %q has no health_check", integration)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, e.HealthCheck.Method, e.HealthCheck.URL, nil)
	if err != nil {
		return Probe{}, err
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // *url.Error repeats the URL, unredacted
		}
		return Probe{Up: false, Message: e.redact.replace(err.Error())}, nil
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	p := Probe{Up: resp.StatusCode < 500, Status: resp.StatusCode, Message: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	return p, nil
}

// HealthNames lists the integrations with a health check, sorted.
func (s *Set) HealthNames() []string {
	var names []string
	for name, e := range s.byName {
		if e.HealthCheck != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Checked reports whether integration has a health check.
func (s *Set) Checked(integration string) bool {
	e, ok := s.byName[integration]
	return ok && e.HealthCheck != nil
}
