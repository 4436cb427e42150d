package ai.axme.examples;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.EventStream;
import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.HumanTask;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.TaskType;
import ai.axme.sdk.generated.WaitingReason;
import java.time.Duration;
import java.util.Map;

/**
 * The initiator of the human-approval workflow: it asks the validator agent to check a database
 * migration, follows the intent live, approves the human step when it comes up (standing in for
 * the reviewer, whose key it is given) and prints the outcome.
 *
 * <pre>
 * AXME_BASE_URL=http://127.0.0.1:8787 AXME_API_KEY=axme_admin_… \
 *   java … ai.axme.examples.ApprovalInitiator agent://local/default/change-validator
 * </pre>
 */
public final class ApprovalInitiator {
    private ApprovalInitiator() {
    }

    /** @param args the validator agent's address */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ApprovalInitiator AGENT_ADDRESS");
            System.exit(2);
        }
        try (AxmeClient client = AxmeClient.builder().timeout(Duration.ofSeconds(10)).build()) {
            CreateIntentRequest request = new CreateIntentRequest()
                    .intentType("intent.infra.change_approval.v1")
                    .toAgent(args[0])
                    .payload(Map.of("change_type", "database_migration", "target", "prod-postgres-main"))
                    .humanTask(new HumanTask().title("Approve the prod-postgres-main migration").taskType(TaskType.APPROVAL));
            String intentId = client.sendIntent(request);
            System.out.println("initiator: submitted " + intentId);

            boolean approved = false;
            try (EventStream events = client.observe(intentId)) {
                for (Event event : events) {
                    System.out.println("initiator: event " + event.getSeq() + " " + event.getEventType().getValue()
                            + " -> " + event.getStatus().getValue());
                    if (!approved && event.getWaitingReason() == WaitingReason.WAITING_FOR_HUMAN) {
                        client.approveTask(intentId, "dry run looks good");
                        approved = true;
                        System.out.println("initiator: approved the human step");
                    }
                }
            }
            Intent done = client.waitFor(intentId, Duration.ofSeconds(30));
            System.out.println("initiator: final status " + done.getStatus().getValue() + " result " + done.getResult());
            System.exit(done.getStatus().getValue().equals("COMPLETED") ? 0 : 1);
        }
    }
}
