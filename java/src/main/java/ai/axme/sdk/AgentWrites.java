package ai.axme.sdk;

import java.util.Map;

/** The agent-side writes a listener makes on an intent: ack, progress (lease renewal), result, failure. */
final class AgentWrites {
    private final RawAxmeClient raw;

    AgentWrites(RawAxmeClient raw) {
        this.raw = raw;
    }

    RawResponse ack(String intentId, String deliveryId) {
        return raw.ackIntent(intentId, Map.of("delivery_id", deliveryId));
    }

    RawResponse progress(String intentId, String deliveryId, Map<String, ?> details) {
        return raw.resumeIntentWith(intentId, WireBodies.progress(details, deliveryId));
    }

    RawResponse complete(String intentId, String deliveryId, Object result) {
        return raw.resumeIntent(intentId, result, deliveryId);
    }

    RawResponse fail(String intentId, String deliveryId, Map<String, ?> error) {
        return raw.failIntent(intentId, error, deliveryId);
    }
}
