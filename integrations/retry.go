package integrations

import "time"

// RetryPolicy is how Temporal retries a failed call. Retries are bounded by
// time (Expire) even when MaxAttempts is unlimited.
type RetryPolicy struct {
	Initial     time.Duration `yaml:"initial" json:"initial"`           // default 1s
	Backoff     float64       `yaml:"backoff" json:"backoff"`           // default 2
	MaxInterval time.Duration `yaml:"max_interval" json:"max_interval"` // default 10m
	MaxAttempts int           `yaml:"max_attempts" json:"max_attempts"` // default 0 = unlimited, bounded by Expire
	Expire      time.Duration `yaml:"expire" json:"expire"`             // default 24h: total time across attempts
}

// DefaultRetry is the policy of an integration that sets none.
var DefaultRetry = RetryPolicy{
	Initial:     time.Second,
	Backoff:     2,
	MaxInterval: 10 * time.Minute,
	Expire:      24 * time.Hour,
}

// WithDefaults fills the zero fields from DefaultRetry.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	if p.Initial == 0 {
		p.Initial = DefaultRetry.Initial
	}
	if p.Backoff == 0 {
		p.Backoff = DefaultRetry.Backoff
	}
	if p.MaxInterval == 0 {
		p.MaxInterval = max(DefaultRetry.MaxInterval, p.Initial)
	}
	if p.Expire == 0 {
		p.Expire = DefaultRetry.Expire
	}
	return p
}
