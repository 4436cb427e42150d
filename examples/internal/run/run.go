// Package run holds what every Go example program does the same way, so each
// workflow's main.go shows only its own part: an agent serves an address until
// SIGINT/SIGTERM, an initiator applies its workflow's ../scenario.json.
package run

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"maps"
	"os"

	axme "github.com/axme-ai/axme/go"
)

// Agent serves the address given as the first argument (or defaultAddress) with
// handler until SIGINT or SIGTERM, letting the step in hand finish (REQ-LISTEN-007).
// AXME_API_KEY and AXME_BASE_URL come from the environment.
func Agent(defaultAddress string, handler axme.DeliveryHandler) {
	flag.Parse()
	address := cmp.Or(flag.Arg(0), defaultAddress)
	client := Must(axme.NewClient(axme.ClientConfig{}))
	fmt.Println("[agent] serving", address)
	if err := client.RunAgent(context.Background(), address, handler); err != nil {
		log.Fatal(err)
	}
	fmt.Println("[agent] stopped")
}

// Scenario applies ../scenario.json with patch merged into its intent's payload,
// prints the keys of agents it created (shown once) and the intent id, and returns
// the client and the new intent's id. Ctrl-C ends the program, not the intent.
func Scenario(ctx context.Context, patch map[string]any) (*axme.Client, string) {
	var bundle axme.ScenarioBundle
	if err := json.Unmarshal(Must(os.ReadFile("../scenario.json")), &bundle); err != nil {
		log.Fatal(err)
	}
	maps.Copy(*bundle.Intent.Payload, patch)
	client := Must(axme.NewClient(axme.ClientConfig{}))
	applied := Must(client.ApplyScenario(ctx, bundle))
	for _, agent := range applied.Agents {
		if agent.APIKey != nil {
			fmt.Printf("agent %s created; its key (shown once): %s\n", agent.Address, *agent.APIKey)
		}
	}
	fmt.Printf("intent %s submitted\n", applied.IntentID)
	return client, applied.IntentID
}

// Must ends the program on an error; an example has nothing better to do with one.
func Must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}
