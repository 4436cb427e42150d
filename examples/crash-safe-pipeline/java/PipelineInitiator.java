import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.EventStream;
import ai.axme.sdk.generated.Event;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.ScenarioBundle;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.Map;

/**
 * Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step, a
 * redelivery when the agent died mid-step, and the final status.
 *
 * <pre>AXME_API_KEY=&lt;admin key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" PipelineInitiator.java</pre>
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
            boolean completed = result.getStatus() == IntentStatus.COMPLETED;
            System.out.println("final status " + result.getStatus().getValue());
            System.out.println("result: " + json.writeValueAsString(completed ? result.getResult() : result.getError()));
            if (completed) {
                return;
            }
        }
        System.exit(1);
    }
}
