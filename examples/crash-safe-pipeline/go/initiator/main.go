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
	"os/signal"
	"slices"

	axme "github.com/axme-ai/axme/go"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	status, err := run(ctx, slices.Contains(os.Args[1:], "wrong-table"))
	if err != nil {
		log.Fatal(err)
	}
	if status != axme.IntentStatusCOMPLETED {
		os.Exit(1)
	}
}

func run(ctx context.Context, wrongTable bool) (axme.IntentStatus, error) {
	var bundle axme.ScenarioBundle
	raw, err := os.ReadFile("../scenario.json")
	if err == nil {
		err = json.Unmarshal(raw, &bundle)
	}
	if err != nil {
		return "", err
	}
	if wrongTable {
		(*bundle.Intent.Payload)["table"] = "warehouse.daily_order"
	}
	client, err := axme.NewClient(axme.ClientConfig{}) // AXME_API_KEY, AXME_BASE_URL
	if err != nil {
		return "", err
	}
	applied, err := client.ApplyScenario(ctx, bundle)
	if err != nil {
		return "", err
	}
	fmt.Printf("intent %s submitted\n", applied.IntentID)

	events := client.Observe(ctx, applied.IntentID, nil)
	defer events.Close()
	for events.Next() {
		ev := events.Current()
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
	if err := events.Err(); err != nil {
		return "", err
	}

	final, err := client.WaitFor(ctx, applied.IntentID, nil)
	if err != nil {
		return "", err
	}
	fmt.Println("final status", final.Status)
	if final.Status == axme.IntentStatusCOMPLETED {
		result, _ := json.Marshal(final.Result)
		fmt.Printf("result: %s\n", result)
	} else if final.Error != nil {
		fmt.Printf("error: %s\n", final.Error.Message)
		fmt.Printf("retry from the failed step: axme intents retry %s --payload-patch '{\"table\": \"warehouse.daily_orders\"}'\n",
			applied.IntentID)
	}
	return final.Status, nil
}
