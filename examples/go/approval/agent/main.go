// Command agent is the validator agent of the human-approval workflow: it
// serves its address, checks each change request and returns its verdict.
// The workflow then waits for a human to approve.
//
//	AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=axme_agent_… \
//	  go run ./approval/agent agent://local/default/change-validator
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	axme "github.com/axme-ai/axme/go"
)

func main() {
	maxDeliveries := flag.Int("max-deliveries", 0, "exit after this many deliveries (0 = serve until interrupted)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: agent [-max-deliveries N] AGENT_ADDRESS")
		os.Exit(2)
	}
	address := flag.Arg(0)

	client, err := axme.NewClient(axme.ClientConfig{}) // AXME_API_KEY, AXME_BASE_URL
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("agent: serving %s", address)
	// Serves until SIGINT/SIGTERM (then the delivery in hand finishes) or N deliveries.
	err = client.RunAgent(context.Background(), address, validate, axme.WithMaxDeliveries(*maxDeliveries))
	if err != nil {
		log.Fatalf("agent: %v", err)
	}
	log.Printf("agent: done")
}

// validate checks a change request. Its result becomes the step's result;
// an error would fail the intent with code agent_error.
func validate(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
	payload := d.Intent.Payload
	log.Printf("agent: delivery %d for intent %s: %v", d.Attempt, d.IntentID, payload)
	target, _ := payload["target"].(string)
	if target == "" {
		return nil, errors.New("the change names no target")
	}
	return map[string]any{
		"validated": true,
		"target":    target,
		"checks":    []string{"schema diff reviewed", "rollback plan present"},
	}, nil
}
