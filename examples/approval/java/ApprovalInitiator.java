import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.EventStream;
import ai.axme.sdk.generated.ApplyScenarioResponse;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.ProvisionedAgent;
import ai.axme.sdk.generated.ScenarioBundle;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Starts the human-approval workflow from ../scenario.json, follows it live and prints the outcome.
 * The on-call SRE decides in between: {@code axme tasks approve <intent_id> --comment "…"} (or
 * {@code axme tasks reject}). Exits 0 when approved (COMPLETED), 1 otherwise. {@code bad-sql} submits a
 * malformed statement, which the validator fails before anyone is asked.
 *
 * <pre>AXME_API_KEY=&lt;admin key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" ApprovalInitiator.java [bad-sql]</pre>
 */
public final class ApprovalInitiator {
    private ApprovalInitiator() {
    }

    public static void main(String[] args) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ScenarioBundle bundle = json.readValue(new File("../scenario.json"), ScenarioBundle.class);
        if (List.of(args).contains("bad-sql")) {
            bundle.getIntent().getPayload().put("sql", "CREATE INDEX idx_users_email ON users (email;");
        }
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            ApplyScenarioResponse applied = client.applyScenario(bundle);
            for (ProvisionedAgent agent : applied.getAgents()) {
                if (agent.getApiKey() != null) {
                    System.out.printf("agent %s created; its key (shown once): %s%n", agent.getAddress(), agent.getApiKey());
                }
            }
            String intentId = applied.getIntentId().toString();
            System.out.println("intent " + intentId + " submitted");

            try (EventStream events = client.observe(intentId)) {
                for (Event event : events) {
                    Object step = event.getData().get("step_id");
                    System.out.printf("  #%d %s -> %s%s%n", event.getSeq(), event.getEventType().getValue(),
                            event.getStatus().getValue(), step != null ? " [" + step + "]" : "");
                    String type = event.getEventType().getValue();
                    if (type.equals("intent.step_completed") && "validate_change".equals(step)) {
                        System.out.println("  validator: " + json.writeValueAsString(event.getData().get("result")));
                    }
                    if (type.equals("intent.human_task_assigned")) {
                        System.out.printf("  waiting for the on-call SRE: axme tasks approve %s --comment \"…\" (or reject)%n",
                                intentId);
                    }
                }
            }

            Intent result = client.waitFor(intentId);
            System.out.println("final status " + result.getStatus().getValue());
            if (result.getStatus() == IntentStatus.COMPLETED) {
                System.out.println("result: " + json.writeValueAsString(result.getResult()));
                return;
            }
            System.out.printf("error: %s: %s%n", result.getError().getCode(), result.getError().getMessage());
            if (result.getError().getDetails() != null && result.getError().getDetails().get("comment") != null) {
                System.out.println("reviewer's comment: " + result.getError().getDetails().get("comment"));
            }
        }
        System.exit(1);
    }
}
