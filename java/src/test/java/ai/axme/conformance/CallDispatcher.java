package ai.axme.conformance;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.IntentHandle;
import ai.axme.sdk.RawAxmeClient;
import ai.axme.sdk.generated.IntentError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code call} op: canonical method name + wire-JSON args → the SDK's public API. Results are
 * the full response body as sent by the server ({@link RawAxmeClient}); helpers without one body
 * return what driver-protocol.md says.
 */
final class CallDispatcher {
    /** The wire members of the body {@code resumeIntent(id, result, deliveryId)} sends. */
    private static final Set<String> HELPER_RESUME_KEYS = Set.of("kind", "outcome", "result", "delivery_id");

    private final ObjectMapper mapper;

    CallDispatcher(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    JsonNode call(AxmeClient client, String method, JsonNode rawArgs) {
        ObjectNode args = rawArgs != null && rawArgs.isObject() ? (ObjectNode) rawArgs.deepCopy() : mapper.createObjectNode();
        RawAxmeClient raw = client.withRawResponse();
        switch (method) {
            case "getHealth":
                return raw.getHealth().json();
            case "createIntent":
                return raw.createIntent(args).json();
            case "sendIntent":
                return mapper.createObjectNode().put("intent_id", client.sendIntent(toMap(args)));
            case "submitIntent":
                return mapper.createObjectNode().put("intent_id", client.submitIntent(toMap(args)).intentId());
            case "intentHandle": // client.intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
                return handleCall(client, client.intent(take(args, "intent_id")), args);
            case "getIntent":
                return raw.getIntent(take(args, "intent_id")).json();
            case "listIntents":
                return raw.listIntents(query(args)).json();
            case "listIntentEvents":
                return raw.listIntentEvents(take(args, "intent_id"), query(args)).json();
            case "resumeIntent": {
                String intentId = take(args, "intent_id");
                if (!isHelperResume(args)) {
                    return raw.resumeIntentWith(intentId, args).json(); // any other body, sent as given
                }
                return raw.resumeIntent(intentId, args.get("result"), optional(args, "delivery_id")).json();
            }
            case "resumeIntentHelper": // the helper itself, whatever the result is (REQ-RESUME-010)
                return raw.resumeIntent(take(args, "intent_id"), args.get("result"), optional(args, "delivery_id")).json();
            case "resolveIntent":
                return raw.resolveIntent(take(args, "intent_id"), args).json();
            case "retryIntent":
                return raw.retryIntent(take(args, "intent_id"), args).json();
            case "ackIntent":
                return raw.ackIntent(take(args, "intent_id"), args).json();
            case "getIntentAudit":
                return raw.getIntentAudit(take(args, "intent_id")).json();
            case "registerAgent":
                return raw.registerAgent(args).json();
            case "listAgents":
                return raw.listAgents(query(args)).json();
            case "getAgent":
                return raw.getAgent(take(args, "address")).json();
            case "createAgentKey":
                return raw.createAgentKey(take(args, "address")).json();
            case "pollAgentDeliveries":
                return raw.pollAgentDeliveries(take(args, "address"), query(args)).json();
            case "listTasks":
                return raw.listTasks(query(args)).json();
            case "listMyTasks":
                return raw.listMyTasks(query(args)).json();
            case "deleteAgent":
                return raw.deleteAgent(take(args, "address")).json();
            case "listAgentKeys":
                return raw.listAgentKeys(take(args, "address")).json();
            case "decideTask":
                return raw.decideTask(take(args, "intent_id"), args).json();
            case "applyScenario":
                return raw.applyScenario(args).json();
            case "validateScenario":
                return raw.validateScenario(args).json();
            case "createKey":
                return raw.createKey(args).json();
            case "listKeys":
                return raw.listKeys().json();
            case "revokeKey":
                return raw.revokeKey(take(args, "key_id")).json();
            default:
                return helper(raw, method, args);
        }
    }

    private JsonNode helper(RawAxmeClient raw, String method, ObjectNode args) {
        switch (method) {
            case "failIntent":
                return raw.failIntent(take(args, "intent_id"), error(args.get("error")), optional(args, "delivery_id")).json();
            case "cancelIntent":
                return raw.cancelIntent(take(args, "intent_id"), optional(args, "reason")).json();
            case "approveTask":
                return raw.completeTask(take(args, "intent_id"), "approved", value(args, "data"), optional(args, "comment")).json();
            case "rejectTask":
                return raw.completeTask(take(args, "intent_id"), "rejected", null, optional(args, "comment")).json();
            case "completeTask": {
                String intentId = take(args, "intent_id");
                String outcome = args.hasNonNull("outcome") ? args.get("outcome").asText() : "completed";
                return raw.completeTask(intentId, outcome, value(args, "data"), optional(args, "comment")).json();
            }
            case "waitFor": {
                String intentId = take(args, "intent_id");
                Duration timeout = Duration.ofMillis(args.path("timeout_ms").asLong(20000));
                return raw.waitFor(intentId, timeout).json().get("intent");
            }
            default:
                throw new UnsupportedOperationException("unknown method " + method);
        }
    }

    private JsonNode handleCall(AxmeClient client, IntentHandle handle, ObjectNode args) {
        String action = args.path("action").asText();
        Object written = switch (action) {
            case "complete" -> args.has("result") ? handle.complete(toMap((ObjectNode) args.get("result"))) : handle.complete();
            case "fail" -> handle.fail(mapper.convertValue(error(args.get("error")), IntentError.class));
            case "cancel" -> handle.cancel(optional(args, "reason"));
            default -> throw new IllegalArgumentException("intentHandle: unknown action " + action);
        };
        return client.objectMapper().valueToTree(written); // the SDK's mapper knows its date/time types
    }

    /**
     * True when args are exactly what {@code resumeIntent(id, result, deliveryId)} sends: agent_result
     * complete with an object result and at most a string delivery_id. Every other body goes through
     * {@code resumeIntentWith} as given.
     */
    static boolean isHelperResume(ObjectNode args) {
        for (Iterator<String> names = args.fieldNames(); names.hasNext();) {
            if (!HELPER_RESUME_KEYS.contains(names.next())) {
                return false;
            }
        }
        JsonNode deliveryId = args.get("delivery_id");
        return "agent_result".equals(args.path("kind").asText(null))
                && "complete".equals(args.path("outcome").asText(null))
                && args.path("result").isObject()
                && (deliveryId == null || deliveryId.isTextual());
    }

    private Map<String, Object> error(JsonNode error) {
        if (error != null && error.isTextual()) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("message", error.asText()); // failIntent sends code agent_error
            return wrapped;
        }
        if (error == null || !error.isObject()) {
            throw new IllegalArgumentException("failIntent needs an error object");
        }
        return toMap(error);
    }

    private Object value(ObjectNode args, String name) {
        JsonNode node = args.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private Map<String, Object> toMap(JsonNode node) {
        return mapper.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
    }

    /** GET args are query parameters: scalars as their text. */
    private static Map<String, Object> query(ObjectNode args) {
        Map<String, Object> query = new LinkedHashMap<>();
        args.fields().forEachRemaining(field -> {
            if (!field.getValue().isNull()) {
                query.put(field.getKey(), field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString());
            }
        });
        return query;
    }

    private static String take(ObjectNode args, String name) {
        JsonNode value = args.remove(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing string argument " + name);
        }
        return value.asText();
    }

    private static String optional(ObjectNode args, String name) {
        JsonNode value = args.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }
}
