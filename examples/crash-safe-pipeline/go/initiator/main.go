// Command initiator runs the crash-safe pipeline (../scenario.json) and prints
// its lifecycle live: each step, a redelivery when the agent died mid-step, and
// the final status. `wrong-table` misspells the target table, so `load` fails
// and the run can be retried from that step with a payload patch.
//
//	AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./initiator [wrong-table]
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
	var patch map[string]any
	if slices.Contains(os.Args[1:], "wrong-table") {
		patch = map[string]any{"table": "warehouse.daily_order"}
	}
	ctx := context.Background()
	client, id := run.Scenario(ctx, patch) // AXME_API_KEY, AXME_BASE_URL

	for ev, err := range client.Observe(ctx, id, nil).All() {
		if err != nil {
			log.Fatal(err)
		}
		detail := ""
		if step, ok := ev.Data["step_id"].(string); ok {
			detail = " [" + step + "]"
		}
		switch ev.EventType {
		case axme.EventTypeIntentDelivered:
			detail += fmt.Sprintf(" delivery %.8s attempt %v", ev.Data["delivery_id"], ev.Data["attempt"])
		case axme.EventTypeIntentRedelivered:
			detail += fmt.Sprintf(" %v (delivery %.8s lost)", ev.Data["reason"], ev.Data["previous_delivery_id"])
		}
		fmt.Printf("  #%d %s -> %s%s\n", ev.Seq, ev.EventType, ev.Status, detail)
	}

	final := run.Must(client.WaitFor(ctx, id, nil))
	fmt.Println("final status", final.Status)
	if final.Status == axme.IntentStatusCOMPLETED {
		fmt.Printf("result: %s\n", run.Must(json.Marshal(final.Result)))
		return
	}
	if final.Error != nil {
		fmt.Printf("error: %s\n", final.Error.Message)
		fmt.Printf("retry from the failed step: axme intents retry %s --payload-patch '{\"table\": \"warehouse.daily_orders\"}'\n", id)
	}
	os.Exit(1)
}
