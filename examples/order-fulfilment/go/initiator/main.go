// Command initiator places an order through the fulfilment workflow
// (../scenario.json), prints every step live and the tracking number from the
// result. Exits 1 when the order FAILED (the reason is printed).
//
//	AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./initiator [in-stock|out-of-stock|declined]
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/axme-ai/axme/examples/internal/run"
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
	ctx := context.Background()
	client, id := run.Scenario(ctx, variants[variant]) // AXME_API_KEY, AXME_BASE_URL
	fmt.Printf("order %v (%s)\n", variants[variant]["order_id"], variant)

	for ev, err := range client.Observe(ctx, id, nil).All() {
		if err != nil {
			log.Fatal(err)
		}
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

	final := run.Must(client.WaitFor(ctx, id, nil))
	fmt.Println("final status", final.Status)
	if final.Status == axme.IntentStatusCOMPLETED {
		fmt.Printf("tracking number: %v\n", (*final.Result)["tracking_number"])
		return
	}
	if final.Error != nil {
		fmt.Printf("reason: %s\n", final.Error.Message)
	}
	os.Exit(1)
}
