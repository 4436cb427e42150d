// Command agent is the migration validator of the human-approval workflow: it
// checks the SQL's syntax, the target database and the risk, and returns its
// assessment for the on-call SRE (an error fails the intent).
//
//	AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./agent [infra-validator]
package main

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/axme-ai/axme/examples/internal/run"
	axme "github.com/axme-ai/axme/go"
)

var (
	knownTargets = map[string]bool{"prod-postgres-main": true, "staging-postgres-main": true}
	ddl          = regexp.MustCompile(`(?i)^(CREATE|ALTER|DROP)\s+(UNIQUE\s+)?(INDEX|TABLE|COLUMN|VIEW)\b`)
	destructive  = regexp.MustCompile(`(?i)\b(DROP\s+(TABLE|COLUMN)|TRUNCATE|DELETE\s+FROM)\b`)
)

func assess(change map[string]any) (map[string]any, error) {
	sql := strings.TrimSpace(fmt.Sprint(change["sql"]))
	target, _ := change["target"].(string)
	if !ddl.MatchString(sql) || !strings.HasSuffix(sql, ";") || strings.Count(sql, "(") != strings.Count(sql, ")") {
		return nil, fmt.Errorf("syntax: not a single DDL statement: %q", sql)
	}
	if !knownTargets[target] {
		return nil, fmt.Errorf("target: unknown database %q", target)
	}
	if rollback, _ := change["rollback_plan"].(string); rollback == "" {
		return nil, errors.New("risk: a migration needs a rollback plan")
	}
	risk := "low"
	if destructive.MatchString(sql) {
		risk = "high"
	} else if strings.HasPrefix(target, "prod-") && !strings.Contains(strings.ToUpper(sql), "CONCURRENTLY") {
		risk = "medium" // a plain CREATE INDEX locks writes on a production table
	}
	return map[string]any{"syntax": "ok", "target": target, "risk": risk,
		"checks": []string{"single DDL statement", "known target", "rollback plan present"}}, nil
}

func validateChange(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
	change := d.Intent.Payload
	fmt.Printf("[agent] validating %v on %v (attempt %d)\n", change["migration"], change["target"], d.Attempt)
	verdict, err := assess(change)
	if err != nil {
		return nil, err
	}
	fmt.Printf("[agent] risk %v: handing over to the on-call SRE\n", verdict["risk"])
	return verdict, nil
}

func main() {
	run.Agent("infra-validator", validateChange) // until SIGINT/SIGTERM (REQ-LISTEN-007)
}
