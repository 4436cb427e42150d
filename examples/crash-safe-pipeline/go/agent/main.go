// Command agent is the ETL worker of the crash-safe pipeline: extract ->
// validate -> transform -> load. Each step records its side effect once, keyed
// on intent id + step id (a redelivery has a new delivery id). With
// CRASH_DURING_STEP=transform it kills itself in the middle of that step (after
// the effect, before the result); the platform redelivers after the lease and a
// restarted agent finishes.
//
//	AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 \
//	  PIPELINE_EFFECTS=effects.log [CRASH_DURING_STEP=transform] go run ./agent [etl-worker]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/axme-ai/axme/examples/internal/run"
	axme "github.com/axme-ai/axme/go"
)

type row struct {
	OrderID  string `json:"order_id"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

var (
	effects         = envOr("PIPELINE_EFFECTS", "effects.log")
	warehouseTables = map[string]bool{"warehouse.daily_orders": true}
)

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// recordOnce is the step's side effect, e.g. a row under a unique key (intent_id, step_id).
func recordOnce(intentID, step, deliveryID string) error {
	existing, err := os.ReadFile(effects)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, line := range strings.Split(string(existing), "\n") {
		if fields := strings.Fields(line); len(fields) == 3 && fields[0] == intentID && fields[1] == step {
			fmt.Printf("[agent] %s: effect already recorded by delivery %s; not repeating it\n", step, fields[2][:8])
			return nil
		}
	}
	f, err := os.OpenFile(effects, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "%s %s %s\n", intentID, step, deliveryID)
	return err
}

// earlier decodes the result of an earlier step into out.
func earlier(intent axme.Intent, stepID string, out any) error {
	for _, s := range *intent.Steps {
		if s.StepID == stepID && s.Result != nil {
			raw, _ := json.Marshal(*s.Result)
			return json.Unmarshal(raw, out)
		}
	}
	return fmt.Errorf("no result of step %s", stepID)
}

func runStep(step string, intent axme.Intent) (map[string]any, error) {
	switch step {
	case "extract":
		return map[string]any{"rows": intent.Payload["rows"]}, nil
	case "validate":
		var extracted struct{ Rows []row }
		if err := earlier(intent, "extract", &extracted); err != nil {
			return nil, err
		}
		valid, rejected := []row{}, []string{}
		for _, r := range extracted.Rows {
			if _, err := strconv.ParseFloat(r.Amount, 64); err != nil {
				rejected = append(rejected, r.OrderID)
			} else {
				valid = append(valid, r)
			}
		}
		return map[string]any{"valid": valid, "rejected": rejected}, nil
	case "transform":
		var validated struct{ Valid []row }
		if err := earlier(intent, "validate", &validated); err != nil {
			return nil, err
		}
		totals := map[string]int{}
		for _, r := range validated.Valid {
			amount, _ := strconv.ParseFloat(r.Amount, 64)
			totals[r.Currency] += int(math.Round(amount * 100))
		}
		return map[string]any{"totals_cents": totals, "rows": len(validated.Valid)}, nil
	case "load":
		var transformed struct{ Rows int }
		if err := earlier(intent, "transform", &transformed); err != nil {
			return nil, err
		}
		table, _ := intent.Payload["table"].(string)
		if !warehouseTables[table] {
			return nil, fmt.Errorf("load: no table %s in the warehouse", table) // fails the intent: fix and retry
		}
		return map[string]any{"table": table, "rows_loaded": transformed.Rows}, nil
	}
	return nil, fmt.Errorf("unknown step %q", step)
}

func handle(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
	step := ""
	if d.StepID != nil {
		step = *d.StepID
	}
	fmt.Printf("[agent] %s (delivery %s, attempt %d)\n", step, d.DeliveryID[:8], d.Attempt)
	result, err := runStep(step, d.Intent)
	if err != nil {
		return nil, err
	}
	if err := recordOnce(d.IntentID, step, d.DeliveryID); err != nil {
		return nil, err
	}
	if step == os.Getenv("CRASH_DURING_STEP") {
		fmt.Printf("[agent] crashing in the middle of %s: effect recorded, result not sent\n", step)
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	return result, nil
}

func main() {
	run.Agent("etl-worker", handle) // until SIGINT/SIGTERM (REQ-LISTEN-007)
}
