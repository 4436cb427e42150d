// Command agent is the order fulfilment agent: one handler per workflow step.
// An error fails the step; the platform retries charge_payment and ship
// (scenario.json: retry), otherwise the order ends FAILED with the error's
// message as the reason.
//
//	AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 go run ./agent [order-fulfilment]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/axme-ai/axme/examples/internal/run"
	axme "github.com/axme-ai/axme/go"
)

type order struct {
	OrderID string `json:"order_id"`
	Items   []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"items"`
	Card                    string            `json:"card"`
	AmountCents             int               `json:"amount_cents"`
	ShipTo                  map[string]string `json:"ship_to"`
	SimulateGatewayTimeouts int               `json:"simulate_gateway_timeouts"`
}

var stock = map[string]int{"mug-blue": 10, "tea-green": 4, "lamp-red": 0}

// fulfilment holds the charge attempts per intent, to simulate a flaky payment gateway.
type fulfilment struct {
	mu           sync.Mutex
	gatewayCalls map[string]int
}

func (f *fulfilment) step(id, intentID string, o order) (map[string]any, error) {
	switch id {
	case "validate_inventory":
		var reserved []string
		for _, item := range o.Items {
			if left := stock[item.SKU]; left < item.Qty {
				return nil, fmt.Errorf("out of stock: %s (ordered %d, %d left)", item.SKU, item.Qty, left)
			}
			reserved = append(reserved, item.SKU)
		}
		return map[string]any{"reserved": reserved}, nil
	case "charge_payment":
		if o.Card == "tok_declined" {
			return nil, fmt.Errorf("payment declined: card %s (insufficient funds)", o.Card)
		}
		f.mu.Lock()
		f.gatewayCalls[intentID]++
		calls := f.gatewayCalls[intentID]
		f.mu.Unlock()
		if calls <= o.SimulateGatewayTimeouts {
			return nil, errors.New("payment gateway timed out") // transient: the platform retries the step
		}
		return map[string]any{"charge_id": "ch_" + o.OrderID, "amount_cents": o.AmountCents}, nil
	case "ship":
		return map[string]any{"tracking_number": "TRK-" + strings.ToUpper(intentID[len(intentID)-8:]), "carrier": "ParcelCo",
			"ship_to": o.ShipTo["city"]}, nil
	}
	return nil, fmt.Errorf("unknown step %q", id)
}

func (f *fulfilment) handle(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
	var o order
	raw, _ := json.Marshal(d.Intent.Payload)
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	step := ""
	if d.StepID != nil {
		step = *d.StepID
	}
	fmt.Printf("[agent] %s: %s (attempt %d)\n", o.OrderID, step, d.Attempt)
	result, err := f.step(step, d.IntentID, o)
	if err != nil {
		fmt.Printf("[agent] %s failed: %v\n", step, err)
	}
	return result, err
}

func main() {
	agent := &fulfilment{gatewayCalls: map[string]int{}}
	run.Agent("order-fulfilment", agent.handle) // until SIGINT/SIGTERM (REQ-LISTEN-007)
}
