package ai.axme.sdk;

import java.util.LinkedHashMap;
import java.util.Map;

/** The agent-side writes on an intent (ack, progress, result, failure), as wire bodies. */
final class AgentWrites {
    private final RawAxmeClient raw;

    AgentWrites(RawAxmeClient raw) {
        this.raw = raw;
    }

    RawResponse ack(String intentId, String deliveryId) {
        return raw.ackIntent(intentId, Map.of("delivery_id", deliveryId));
    }

    RawResponse progress(String intentId, String deliveryId, Map<String, ?> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "progress");
        if (details != null) {
            body.put("details", details);
        }
        putIfPresent(body, "delivery_id", deliveryId);
        return raw.resumeIntent(intentId, body);
    }

    RawResponse complete(String intentId, String deliveryId, Object result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "agent_result");
        body.put("outcome", "complete");
        body.put("result", result == null ? Map.of() : result);
        putIfPresent(body, "delivery_id", deliveryId);
        return raw.resumeIntent(intentId, body);
    }

    RawResponse fail(String intentId, String deliveryId, Map<String, ?> error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "agent_result");
        body.put("outcome", "fail");
        body.put("error", error);
        putIfPresent(body, "delivery_id", deliveryId);
        return raw.resumeIntent(intentId, body);
    }

    static Map<String, Object> error(String code, String message, Map<String, ?> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (details != null) {
            error.put("details", details);
        }
        return error;
    }

    private static void putIfPresent(Map<String, Object> body, String key, String value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}
