package ai.axme.sdk;

import ai.axme.sdk.generated.Delivery;
import ai.axme.sdk.generated.Intent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** One delivery handed to a {@link DeliveryHandler}, with the agent-side actions it may take. */
public final class DeliveryContext {
    private final JsonNode json;
    private final ObjectMapper mapper;
    private final AgentWrites writes;

    DeliveryContext(JsonNode json, ObjectMapper mapper, AgentWrites writes) {
        this.json = json;
        this.mapper = mapper;
        this.writes = writes;
    }

    /** @return the delivery as the generated model */
    public Delivery delivery() {
        return mapper.convertValue(json, Delivery.class);
    }

    /** @return the delivered intent as the generated model */
    public Intent intent() {
        return mapper.convertValue(json.path("intent"), Intent.class);
    }

    /** @return the delivery exactly as the server sent it */
    public JsonNode json() {
        return json.deepCopy();
    }

    /** @return the intent id */
    public String intentId() {
        return json.path("intent_id").asText();
    }

    /** @return the delivery id (its lease) */
    public String deliveryId() {
        return json.path("delivery_id").asText();
    }

    /** @return the intent type, e.g. {@code intent.infra.change_approval.v1} */
    public String intentType() {
        return json.path("intent").path("intent_type").asText(null);
    }

    /** @return the intent's payload as a map (empty when it has none) */
    public Map<String, Object> payload() {
        JsonNode payload = json.path("intent").path("payload");
        if (!payload.isObject()) {
            return Map.of();
        }
        return mapper.convertValue(payload, Json.MAP_TYPE);
    }

    /**
     * Reports progress ({@code kind: progress}), which also extends the lease.
     *
     * @param details free-form progress details, may be null
     */
    public void reportProgress(Map<String, ?> details) {
        writes.progress(intentId(), deliveryId(), details);
    }
}
