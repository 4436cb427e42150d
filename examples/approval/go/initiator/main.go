// Command initiator starts the human-approval workflow from ../scenario.json,
// follows it live and prints the outcome. The on-call SRE decides in between:
// axme tasks approve <intent_id> --comment "…" (or axme tasks reject).
// Exits 0 when approved (COMPLETED), 1 otherwise. `bad-sql` submits a malformed
// statement, which the validator fails before anyone is asked.
//
//	AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./initiator [bad-sql]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/axme-ai/axme/examples/internal/run"
	axme "github.com/axme-ai/axme/go"
)

func main() {
	patch := map[string]any{}
	if slices.Contains(os.Args[1:], "bad-sql") {
		patch["sql"] = "CREATE INDEX idx_users_email ON users (email;"
	}
	ctx := context.Background()
	client, intentID := run.Scenario(ctx, patch) // AXME_API_KEY, AXME_BASE_URL

	for ev, err := range client.Observe(ctx, intentID, nil).All() {
		if err != nil {
			log.Fatal(err)
		}
		step, _ := ev.Data["step_id"].(string)
		fmt.Printf("  #%d %s -> %s%s\n", ev.Seq, ev.EventType, ev.Status, bracketed(step))
		if ev.EventType == axme.EventTypeIntentStepCompleted && step == "validate_change" {
			fmt.Printf("  validator: %s\n", run.Must(json.Marshal(ev.Data["result"])))
		}
		if ev.EventType == axme.EventTypeIntentHumanTaskAssigned {
			fmt.Printf("  waiting for the on-call SRE: axme tasks approve %s --comment \"…\" (or reject)\n", intentID)
		}
	}

	final := run.Must(client.WaitFor(ctx, intentID, nil))
	fmt.Println("final status", final.Status)
	if final.Status == axme.IntentStatusCOMPLETED {
		fmt.Printf("result: %s\n", run.Must(json.Marshal(final.Result)))
		return
	}
	if final.Error != nil {
		fmt.Printf("error: %s: %s\n", final.Error.Code, final.Error.Message)
		if details := final.Error.Details; details != nil && (*details)["comment"] != nil {
			fmt.Printf("reviewer's comment: %v\n", (*details)["comment"])
		}
	}
	os.Exit(1)
}

func bracketed(step string) string {
	if step == "" {
		return ""
	}
	return " [" + step + "]"
}
