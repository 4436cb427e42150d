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
	"os/signal"
	"slices"

	axme "github.com/axme-ai/axme/go"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	status, err := run(ctx, slices.Contains(os.Args[1:], "bad-sql"))
	if err != nil {
		log.Fatal(err)
	}
	if status != axme.IntentStatusCOMPLETED {
		os.Exit(1)
	}
}

func run(ctx context.Context, badSQL bool) (axme.IntentStatus, error) {
	var bundle axme.ScenarioBundle
	raw, err := os.ReadFile("../scenario.json")
	if err == nil {
		err = json.Unmarshal(raw, &bundle)
	}
	if err != nil {
		return "", err
	}
	if badSQL {
		(*bundle.Intent.Payload)["sql"] = "CREATE INDEX idx_users_email ON users (email;"
	}
	client, err := axme.NewClient(axme.ClientConfig{}) // AXME_API_KEY, AXME_BASE_URL
	if err != nil {
		return "", err
	}
	applied, err := client.ApplyScenario(ctx, bundle)
	if err != nil {
		return "", err
	}
	for _, agent := range applied.Agents {
		if agent.APIKey != nil {
			fmt.Printf("agent %s created; its key (shown once): %s\n", agent.Address, *agent.APIKey)
		}
	}
	intentID := applied.IntentID
	fmt.Printf("intent %s submitted\n", intentID)

	events := client.Observe(ctx, intentID, nil)
	defer events.Close()
	for events.Next() {
		ev := events.Current()
		step, _ := ev.Data["step_id"].(string)
		suffix := ""
		if step != "" {
			suffix = " [" + step + "]"
		}
		fmt.Printf("  #%d %s -> %s%s\n", ev.Seq, ev.EventType, ev.Status, suffix)
		if ev.EventType == axme.EventTypeIntentStepCompleted && step == "validate_change" {
			verdict, _ := json.Marshal(ev.Data["result"])
			fmt.Printf("  validator: %s\n", verdict)
		}
		if ev.EventType == axme.EventTypeIntentHumanTaskAssigned {
			fmt.Printf("  waiting for the on-call SRE: axme tasks approve %s --comment \"…\" (or reject)\n", intentID)
		}
	}
	if err := events.Err(); err != nil {
		return "", err
	}

	final, err := client.WaitFor(ctx, intentID, nil)
	if err != nil {
		return "", err
	}
	fmt.Println("final status", final.Status)
	if final.Status == axme.IntentStatusCOMPLETED {
		result, _ := json.Marshal(final.Result)
		fmt.Printf("result: %s\n", result)
	} else if final.Error != nil {
		fmt.Printf("error: %s: %s\n", final.Error.Code, final.Error.Message)
		if final.Error.Details != nil {
			if comment, ok := (*final.Error.Details)["comment"]; ok {
				fmt.Printf("reviewer's comment: %v\n", comment)
			}
		}
	}
	return final.Status, nil
}
