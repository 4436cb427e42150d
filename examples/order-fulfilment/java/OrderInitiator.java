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
 * Places an order through the fulfilment workflow (../scenario.json), prints every step live and the
 * tracking number from the result. Exits 1 when the order FAILED (the reason is printed).
 *
 * <pre>AXME_API_KEY=&lt;admin key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" OrderInitiator.java [in-stock|out-of-stock|declined]</pre>
 */
public final class OrderInitiator {
    private static final Map<String, Map<String, Object>> VARIANTS = Map.of(
            "in-stock", Map.of("order_id", "ord-1001"),
            "out-of-stock", Map.of("order_id", "ord-1002", "items", List.of(Map.of("sku", "lamp-red", "qty", 1))),
            "declined", Map.of("order_id", "ord-1003", "card", "tok_declined"));

    private OrderInitiator() {
    }

    public static void main(String[] args) throws IOException {
        String variant = args.length > 0 ? args[0] : "in-stock";
        ScenarioBundle bundle = new ObjectMapper().readValue(new File("../scenario.json"), ScenarioBundle.class);
        bundle.getIntent().getPayload().putAll(VARIANTS.get(variant));
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            String intentId = client.applyScenario(bundle).getIntentId().toString();
            System.out.printf("intent %s submitted (order %s, %s)%n", intentId,
                    bundle.getIntent().getPayload().get("order_id"), variant);
            try (EventStream events = client.observe(intentId)) {
                for (Event event : events) {
                    Map<String, Object> data = event.getData();
                    String detail = data.get("step_id") != null ? " [" + data.get("step_id") + "]" : "";
                    if (event.getEventType().getValue().equals("intent.redelivered")) {
                        Object error = data.get("error") instanceof Map<?, ?> e ? e.get("message") : "";
                        detail += " " + data.get("reason") + ": " + error;
                    }
                    System.out.printf("  #%d %s -> %s%s%n", event.getSeq(), event.getEventType().getValue(),
                            event.getStatus().getValue(), detail);
                }
            }
            Intent result = client.waitFor(intentId);
            System.out.println("final status " + result.getStatus().getValue());
            if (result.getStatus() == IntentStatus.COMPLETED) {
                System.out.println("tracking number: " + result.getResult().get("tracking_number"));
                return;
            }
            System.out.println("reason: " + result.getError().getMessage());
        }
        System.exit(1);
    }
}
