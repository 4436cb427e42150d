// Command initiator starts the human-approval workflow: it asks the
// validator agent to check a database migration, follows the intent live,
// approves the human step when it comes up (standing in for the reviewer,
// whose key it is given) and prints the outcome.
//
//	AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=axme_admin_… \
//	  go run ./approval/initiator agent://local/default/change-validator
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	axme "github.com/axme-ai/axme/go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: initiator AGENT_ADDRESS")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		log.Fatalf("initiator: %v", err)
	}
}

func run(agent string) error {
	client, err := axme.NewClient(axme.ClientConfig{Timeout: 10 * time.Second}) // AXME_API_KEY, AXME_BASE_URL
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	intentID, err := client.SendIntent(ctx, axme.SendIntentRequest{
		IntentType: "intent.infra.change_approval.v1",
		ToAgent:    agent,
		Payload:    map[string]any{"change_type": "database_migration", "target": "prod-postgres-main"},
		HumanTask: &axme.HumanTask{
			Title:    "Approve the prod-postgres-main migration",
			TaskType: axme.Ptr(axme.TaskTypeApproval),
		},
	})
	if err != nil {
		return err
	}
	fmt.Println("initiator: submitted", intentID)

	events := client.Observe(ctx, intentID, nil)
	defer events.Close()
	approved := false
	for events.Next() {
		ev := events.Current()
		fmt.Printf("initiator: event %d %s -> %s\n", ev.Seq, ev.EventType, ev.Status)
		if !approved && ev.WaitingReason != nil && *ev.WaitingReason == axme.WaitingReasonWAITINGFORHUMAN {
			if _, err := client.ApproveTask(ctx, intentID, "dry run looks good"); err != nil {
				return err
			}
			approved = true
			fmt.Println("initiator: approved the human step")
		}
	}
	if err := events.Err(); err != nil {
		return err
	}

	done, err := client.WaitFor(ctx, intentID, &axme.WaitOptions{Timeout: 30 * time.Second})
	if err != nil {
		return err
	}
	fmt.Printf("initiator: final status %s result %v\n", done.Status, deref(done.Result))
	if done.Status != axme.IntentStatusCOMPLETED {
		return fmt.Errorf("the workflow ended %s", done.Status)
	}
	return nil
}

func deref(m *map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return *m
}
