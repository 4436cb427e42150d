import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.EventStream;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.ScenarioBundle;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step, a
 * redelivery when the agent died mid-step, and the final status. {@code wrong-table} misspells the
 * target table, so {@code load} fails and the run can be retried from that step with a payload patch.
 *
 * <pre>AXME_API_KEY=&lt;admin key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" PipelineInitiator.java [wrong-table]</pre>
 */
public final class PipelineInitiator {
    private PipelineInitiator() {
    }

    private static String shortId(Object id) {
        return String.valueOf(id).substring(0, 8);
    }

    public static void main(String[] args) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ScenarioBundle bundle = json.readValue(new File("../scenario.json"), ScenarioBundle.class);
        if (List.of(args).contains("wrong-table")) {
            bundle.getIntent().getPayload().put("table", "warehouse.daily_order");
        }
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            String intentId = client.applyScenario(bundle).getIntentId().toString();
            System.out.println("intent " + intentId + " submitted");
            try (EventStream events = client.observe(intentId)) {
                for (Event event : events) {
                    Map<String, Object> data = event.getData();
                    String type = event.getEventType().getValue();
                    String detail = data.get("step_id") != null ? " [" + data.get("step_id") + "]" : "";
                    if (type.equals("intent.delivered")) {
                        detail += " delivery " + shortId(data.get("delivery_id")) + " attempt " + data.get("attempt");
                    } else if (type.equals("intent.redelivered")) {
                        detail += " " + data.get("reason") + " (delivery " + shortId(data.get("previous_delivery_id")) + " lost)";
                    }
                    System.out.printf("  #%d %s -> %s%s%n", event.getSeq(), type, event.getStatus().getValue(), detail);
                }
            }
            Intent result = client.waitFor(intentId);
            System.out.println("final status " + result.getStatus().getValue());
            if (result.getStatus() == IntentStatus.COMPLETED) {
                System.out.println("result: " + json.writeValueAsString(result.getResult()));
                return;
            }
            System.out.println("error: " + result.getError().getMessage());
            System.out.printf("retry from the failed step: axme intents retry %s --payload-patch "
                    + "'{\"table\": \"warehouse.daily_orders\"}'%n", intentId);
        }
        System.exit(1);
    }
}
