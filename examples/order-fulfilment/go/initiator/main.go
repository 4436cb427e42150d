// Command initiator places an order through the fulfilment workflow
// (../scenario.json), prints every step live and the tracking number from the
// result. Exits 1 when the order FAILED (the reason is printed).
//
//	AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./initiator [in-stock|out-of-stock|declined]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"os"
	"os/signal"

	axme "github.com/axme-ai/axme/go"
)

var variants = map[string]map[string]any{
	"in-stock":     {"order_id": "ord-1001"},
	"out-of-stock": {"order_id": "ord-1002", "items": []map[string]any{{"sku": "lamp-red", "qty": 1}}},
	"declined":     {"order_id": "ord-1003", "card": "tok_declined"},
}

func main() {
	variant := "in-stock"
	if len(os.Args) > 1 {
		variant = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	status, err := run(ctx, variant)
	if err != nil {
		log.Fatal(err)
	}
	if status != axme.IntentStatusCOMPLETED {
		os.Exit(1)
	}
}

func run(ctx context.Context, variant string) (axme.IntentStatus, error) {
	var bundle axme.ScenarioBundle
	raw, err := os.ReadFile("../scenario.json")
	if err == nil {
		err = json.Unmarshal(raw, &bundle)
	}
	if err != nil {
		return "", err
	}
	maps.Copy(*bundle.Intent.Payload, variants[variant])
	client, err := axme.NewClient(axme.ClientConfig{}) // AXME_API_KEY, AXME_BASE_URL
	if err != nil {
		return "", err
	}
	applied, err := client.ApplyScenario(ctx, bundle)
	if err != nil {
		return "", err
	}
	fmt.Printf("intent %s submitted (order %v, %s)\n", applied.IntentID, (*bundle.Intent.Payload)["order_id"], variant)

	events := client.Observe(ctx, applied.IntentID, nil)
	defer events.Close()
	for events.Next() {
		ev := events.Current()
		detail := ""
		if step, ok := ev.Data["step_id"].(string); ok {
			detail = " [" + step + "]"
		}
		if ev.EventType == axme.EventTypeIntentRedelivered {
			failure, _ := ev.Data["error"].(map[string]any)
			detail += fmt.Sprintf(" %v: %v", ev.Data["reason"], failure["message"])
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
		fmt.Printf("tracking number: %v\n", (*final.Result)["tracking_number"])
	} else if final.Error != nil {
		fmt.Printf("reason: %s\n", final.Error.Message)
	}
	return final.Status, nil
}
