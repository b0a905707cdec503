package integrations

import "time"

// RetryPolicy is how failed attempts are retried. Retries are bounded by
// time (Expire) as well as, optionally, by attempts.
type RetryPolicy struct {
	Initial     time.Duration `yaml:"initial" json:"initial"`
	Backoff     float64       `yaml:"backoff" json:"backoff"`
	MaxInterval time.Duration `yaml:"max_interval" json:"max_interval"`
	MaxAttempts int           `yaml:"max_attempts" json:"max_attempts"` // 0: unlimited within Expire
	Expire      time.Duration `yaml:"expire" json:"expire"`
}

// Defaults for unset retry fields and the per-attempt timeout.
const (
	DefaultInitial     = time.Second
	DefaultBackoff     = 2.0
	DefaultMaxInterval = 10 * time.Minute
	DefaultExpire      = 24 * time.Hour
	DefaultTimeout     = 30 * time.Second
)

// WithDefaults fills unset fields.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.Initial <= 0 {
		p.Initial = DefaultInitial
	}
	if p.Backoff < 1 {
		p.Backoff = DefaultBackoff
	}
	if p.MaxInterval <= 0 {
		p.MaxInterval = DefaultMaxInterval
	}
	if p.Expire <= 0 {
		p.Expire = DefaultExpire
	}
	return p
}
