package main

import (
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/internal/project"
)

// refuseDefaultSecrets stops serve and worker before they connect to
// anything when a credential setting took the default of its
// ${NAME:-default}: the samples' defaults are public text, and a server
// that trusts them accepts anyone's webhooks and admin calls.
func refuseDefaultSecrets(p *project.Project, cmd string) error {
	if len(p.DefaultSecrets) == 0 {
		return nil
	}
	var lines, vars []string
	for _, d := range p.DefaultSecrets {
		lines = append(lines, fmt.Sprintf("  %s: %s uses the default of ${%s}", d.At, d.Field, d.Var))
		if !slices.Contains(vars, d.Var) {
			vars = append(vars, d.Var)
		}
	}
	return fmt.Errorf("%s refuses to start with public default secrets; set %s (only `hookflow dev` on loopback may use the defaults):\n%s",
		cmd, strings.Join(vars, ", "), strings.Join(lines, "\n"))
}

// refuseDefaultSecretsOffLoopback lets dev use the defaults only while it
// listens on this machine alone.
func refuseDefaultSecretsOffLoopback(p *project.Project, l net.Listener) error {
	if a, ok := l.Addr().(*net.TCPAddr); ok && a.IP.IsLoopback() {
		return nil
	}
	return refuseDefaultSecrets(p, "dev on "+l.Addr().String())
}
