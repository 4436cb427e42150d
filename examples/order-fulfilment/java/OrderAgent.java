import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.DeliveryContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order fulfilment agent: one handler per workflow step. An exception fails the step; the
 * platform retries charge_payment and ship (scenario.json: retry), otherwise the order ends FAILED
 * with the exception's message as the reason.
 *
 * <pre>AXME_API_KEY=&lt;agent key&gt; AXME_BASE_URL=http://127.0.0.1:8787 java -cp "$CP" OrderAgent.java [order-fulfilment]</pre>
 */
public final class OrderAgent {
    record Item(String sku, int qty) {
    }

    record Order(String order_id, List<Item> items, String card, int amount_cents, Map<String, String> ship_to,
            int simulate_gateway_timeouts) {
    }

    private static final Map<String, Integer> STOCK = Map.of("mug-blue", 10, "tea-green", 4, "lamp-red", 0);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Charge attempts per intent, to simulate a flaky payment gateway. */
    private final Map<String, Integer> gatewayCalls = new ConcurrentHashMap<>();

    Map<String, Object> step(String step, String intentId, Order order) {
        switch (step) {
            case "validate_inventory":
                for (Item item : order.items()) {
                    int left = STOCK.getOrDefault(item.sku(), 0);
                    if (left < item.qty()) {
                        throw new IllegalStateException(
                                "out of stock: %s (ordered %d, %d left)".formatted(item.sku(), item.qty(), left));
                    }
                }
                return Map.of("reserved", order.items().stream().map(Item::sku).toList());
            case "charge_payment":
                if (order.card().equals("tok_declined")) {
                    throw new IllegalStateException("payment declined: card " + order.card() + " (insufficient funds)");
                }
                if (gatewayCalls.merge(intentId, 1, Integer::sum) <= order.simulate_gateway_timeouts()) {
                    throw new IllegalStateException("payment gateway timed out"); // transient: the platform retries
                }
                return Map.of("charge_id", "ch_" + order.order_id(), "amount_cents", order.amount_cents());
            case "ship":
                return Map.of("tracking_number", "TRK-" + intentId.substring(intentId.length() - 8).toUpperCase(), "carrier", "ParcelCo",
                        "ship_to", order.ship_to().get("city"));
            default:
                throw new IllegalArgumentException("unknown step " + step);
        }
    }

    Object handle(DeliveryContext delivery) {
        Order order = JSON.convertValue(delivery.payload(), Order.class);
        String step = delivery.delivery().getStepId();
        System.out.printf("[agent] %s: %s (attempt %d)%n", order.order_id(), step, delivery.delivery().getAttempt());
        try {
            return step(step, delivery.intentId(), order);
        } catch (RuntimeException failure) {
            System.out.printf("[agent] %s failed: %s%n", step, failure.getMessage());
            throw failure;
        }
    }

    public static void main(String[] args) {
        String address = args.length > 0 ? args[0] : "order-fulfilment";
        OrderAgent agent = new OrderAgent();
        try (AxmeClient client = AxmeClient.builder().build()) { // AXME_API_KEY, AXME_BASE_URL
            System.out.println("[agent] serving " + address);
            // Serves until SIGINT/SIGTERM, then lets the step in hand finish (REQ-LISTEN-007).
            client.runAgent(address, agent::handle);
        }
        System.out.println("[agent] stopped");
    }
}
