import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.DeliveryContext;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.StepSummary;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ETL worker of the crash-safe pipeline: extract -> validate -> transform -> load. Each step
 * records its side effect once, keyed on intent id + step id (a redelivery has a new delivery id).
 * With CRASH_DURING_STEP=transform it kills itself in the middle of that step (after the effect,
 * before the result); the platform redelivers after the lease and a restarted agent finishes.
 *
 * <pre>AXME_API_KEY=&lt;agent key&gt; AXME_BASE_URL=http://127.0.0.1:8787 PIPELINE_EFFECTS=effects.log \
 *   [CRASH_DURING_STEP=transform] java -cp "$CP" PipelineAgent.java [etl-worker]</pre>
 */
public final class PipelineAgent {
    record Row(String order_id, String amount, String currency) {
        boolean valid() {
            return amount.matches("-?\\d+(\\.\\d+)?");
        }
    }

    record Rows(List<Row> rows) {
    }

    record Validated(List<Row> valid, List<String> rejected) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> WAREHOUSE_TABLES = Set.of("warehouse.daily_orders");
    private static final Path EFFECTS = Path.of(Objects.requireNonNullElse(System.getenv("PIPELINE_EFFECTS"), "effects.log"));

    private PipelineAgent() {
    }

    /** The step's side effect, e.g. a row under a unique key (intent_id, step_id). */
    static synchronized void recordOnce(String intentId, String step, String deliveryId) throws IOException {
        List<String> lines = Files.exists(EFFECTS) ? Files.readAllLines(EFFECTS) : List.of();
        for (String line : lines) {
            String[] fields = line.split(" ");
            if (fields.length == 3 && fields[0].equals(intentId) && fields[1].equals(step)) {
                System.out.printf("[agent] %s: effect already recorded by delivery %s; not repeating it%n", step,
                        fields[2].substring(0, 8));
                return;
            }
        }
        Files.writeString(EFFECTS, intentId + " " + step + " " + deliveryId + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    static <T> T earlier(Intent intent, String stepId, Class<T> type) {
        for (StepSummary step : intent.getSteps()) {
            if (step.getStepId().equals(stepId)) {
                return JSON.convertValue(step.getResult(), type);
            }
        }
        throw new IllegalStateException("no result of step " + stepId);
    }

    static Map<String, Object> runStep(String step, Intent intent) {
        switch (step) {
            case "extract":
                return Map.of("rows", intent.getPayload().get("rows"));
            case "validate": {
                List<Row> rows = earlier(intent, "extract", Rows.class).rows();
                return Map.of("valid", rows.stream().filter(Row::valid).toList(),
                        "rejected", rows.stream().filter(r -> !r.valid()).map(Row::order_id).toList());
            }
            case "transform": {
                List<Row> valid = earlier(intent, "validate", Validated.class).valid();
                Map<String, Integer> totals = new TreeMap<>();
                for (Row row : valid) {
                    totals.merge(row.currency(), new BigDecimal(row.amount()).movePointRight(2).intValueExact(), Integer::sum);
                }
                return Map.of("totals_cents", totals, "rows", valid.size());
            }
            default: {
                String table = String.valueOf(intent.getPayload().get("table"));
                if (!WAREHOUSE_TABLES.contains(table)) {
                    throw new IllegalStateException("load: no table " + table + " in the warehouse"); // fix and retry
                }
                return Map.of("table", table, "rows_loaded", earlier(intent, "transform", Map.class).get("rows"));
            }
        }
    }

    static Object handle(DeliveryContext delivery) throws IOException {
        String step = delivery.delivery().getStepId();
        System.out.printf("[agent] %s (delivery %s, attempt %d)%n", step, delivery.deliveryId().substring(0, 8),
                delivery.delivery().getAttempt());
        Map<String, Object> result = runStep(step, delivery.intent());
        recordOnce(delivery.intentId(), step, delivery.deliveryId());
        if (step.equals(System.getenv("CRASH_DURING_STEP"))) {
            System.out.printf("[agent] crashing in the middle of %s: effect recorded, result not sent%n", step);
            Runtime.getRuntime().halt(137); // like kill -9: no shutdown hooks, no result
        }
        return result;
    }

    public static void main(String[] args) {
        String address = args.length > 0 ? args[0] : "etl-worker";
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            System.out.println("[agent] serving " + address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            client.runAgent(address, PipelineAgent::handle);
        }
        System.out.println("[agent] stopped");
    }
}
