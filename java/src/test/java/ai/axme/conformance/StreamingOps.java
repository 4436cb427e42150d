package ai.axme.conformance;

import ai.axme.sdk.AbandonDeliveryException;
import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.DeliveryContext;
import ai.axme.sdk.EventStream;
import ai.axme.sdk.ListenOptions;
import ai.axme.sdk.Listener;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The {@code observe}, {@code wait_for} and {@code listen} ops, each through the SDK's public API. */
final class StreamingOps {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private final ObjectMapper mapper;
    private final DriverOutput out;

    StreamingOps(ObjectMapper mapper, DriverOutput out) {
        this.mapper = mapper;
        this.out = out;
    }

    void observe(long id, AxmeClient client, JsonNode params, OpRegistry.Op op) {
        long since = params.path("since").asLong(0);
        boolean untilTerminal = params.path("until_terminal").asBoolean(true);
        try (EventStream events = client.observe(params.path("intent_id").asText(), since, untilTerminal)) {
            op.onCancel(events::close);
            JsonNode event;
            while ((event = events.nextJson()) != null) {
                out.item(id, "event", event);
            }
        }
        op.throwIfCancelled();
        out.done(id);
    }

    JsonNode waitFor(AxmeClient client, JsonNode params) {
        Duration timeout = Duration.ofMillis(params.path("timeout_ms").asLong(20000));
        return client.withRawResponse().waitFor(params.path("intent_id").asText(), timeout).json().get("intent");
    }

    void listen(long id, AxmeClient client, JsonNode params, OpRegistry.Op op) throws InterruptedException {
        JsonNode handler = params.path("handler");
        String action = handler.path("action").asText("complete");
        CountDownLatch crashed = new CountDownLatch(1);
        ListenOptions options = ListenOptions.maxDeliveries(Math.max(1, params.path("max_deliveries").asLong(1)));
        try (Listener listener = client.listen(params.path("address").asText(), delivery -> {
            out.item(id, "delivery", delivery.json());
            return act(action, handler, delivery, crashed);
        }, options)) {
            op.onCancel(listener::close);
            while (listener.isRunning() && crashed.getCount() > 0) {
                listener.awaitTermination(Duration.ofMillis(50));
            }
            if (crashed.getCount() > 0) {
                op.throwIfCancelled();
                if (listener.failure().isPresent()) {
                    Throwable failure = listener.failure().get();
                    throw failure instanceof RuntimeException ? (RuntimeException) failure : new IllegalStateException(failure);
                }
            }
            // after a crash, closing the listener is the "process death": the lease is left to expire
        }
        out.done(id);
    }

    /** The handler action listen and push_receiver run (crash counts {@code crashed} down). */
    Object act(String action, JsonNode handler, DeliveryContext delivery, CountDownLatch crashed)
            throws Exception {
        switch (action) {
            case "complete":
                return result(handler);
            case "fail": {
                Map<String, Object> error = handler.path("error").isObject()
                        ? mapper.convertValue(handler.get("error"), MAP) : Map.of();
                // the SDK reports any handler exception as {code: agent_error, message: <its text>}
                throw new IllegalStateException(String.valueOf(error.getOrDefault("message", "failed")));
            }
            case "crash":
                crashed.countDown();
                throw new AbandonDeliveryException("conformance handler crash");
            case "progress_then_complete": {
                int count = handler.path("progress_count").asInt(1);
                long delayMs = handler.path("delay_ms").asLong(0);
                for (int i = 1; i <= count; i++) {
                    TimeUnit.MILLISECONDS.sleep(delayMs);
                    delivery.reportProgress(Map.of("step", i));
                }
                return result(handler);
            }
            default:
                throw new IllegalArgumentException("unknown handler action " + action);
        }
    }

    private Object result(JsonNode handler) {
        JsonNode result = handler.get("result");
        return result == null || result.isNull() ? null : result;
    }
}
