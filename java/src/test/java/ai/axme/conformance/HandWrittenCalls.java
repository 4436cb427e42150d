package ai.axme.conformance;

import static ai.axme.conformance.CallArgs.optional;
import static ai.axme.conformance.CallArgs.take;
import static java.util.Map.entry;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.IntentHandle;
import ai.axme.sdk.generated.IntentError;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The calls whose arguments need more than {@link GeneratedCalls}' rules (java/tools/gen_driver_calls.py):
 * resumeIntent's several body shapes, the SDK-only helpers of spec/naming.yaml and the intent
 * handle. Every other operation of naming.yaml is generated; a name listed here is left out of it.
 */
final class HandWrittenCalls {
    /** One call: the SDK's answer as the JSON the driver reports. */
    @FunctionalInterface
    interface Call {
        JsonNode run(AxmeClient client, ObjectNode args);
    }

    /** The wire members of the body {@code resumeIntent(id, result, deliveryId)} sends. */
    private static final Set<String> HELPER_RESUME_KEYS = Set.of("kind", "outcome", "result", "delivery_id");

    private final ObjectMapper mapper;
    private final Map<String, Call> calls;

    HandWrittenCalls(ObjectMapper mapper) {
        this.mapper = mapper;
        this.calls = Map.ofEntries(
            entry("resumeIntent", (client, args) -> {
                String intentId = take(args, "intent_id");
                if (!isHelperResume(args)) { // any other body, sent as given
                    return client.withRawResponse().resumeIntentWith(intentId, args).json();
                }
                return client.withRawResponse().resumeIntent(intentId, args.get("result"), optional(args, "delivery_id")).json();
            }),
            // the helper itself, whatever the result is (REQ-RESUME-010)
            entry("resumeIntentHelper", (client, args) -> client.withRawResponse()
                    .resumeIntent(take(args, "intent_id"), args.get("result"), optional(args, "delivery_id")).json()),
            entry("sendIntent", (client, args) -> mapper.createObjectNode().put("intent_id", client.sendIntent(toMap(args)))),
            entry("submitIntent", (client, args) ->
                    mapper.createObjectNode().put("intent_id", client.submitIntent(toMap(args)).intentId())),
            // client.intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
            entry("intentHandle", (client, args) -> handleCall(client, client.intent(take(args, "intent_id")), args)),
            entry("failIntent", (client, args) -> client.withRawResponse()
                    .failIntent(take(args, "intent_id"), error(args.get("error")), optional(args, "delivery_id")).json()),
            entry("cancelIntent", (client, args) ->
                    client.withRawResponse().cancelIntent(take(args, "intent_id"), optional(args, "reason")).json()),
            entry("approveTask", (client, args) -> client.withRawResponse()
                    .completeTask(take(args, "intent_id"), "approved", value(args, "data"), optional(args, "comment")).json()),
            entry("rejectTask", (client, args) -> client.withRawResponse()
                    .completeTask(take(args, "intent_id"), "rejected", null, optional(args, "comment")).json()),
            entry("completeTask", (client, args) -> {
                String intentId = take(args, "intent_id");
                String outcome = args.hasNonNull("outcome") ? args.get("outcome").asText() : "completed";
                return client.withRawResponse().completeTask(intentId, outcome, value(args, "data"), optional(args, "comment")).json();
            }),
            entry("waitFor", (client, args) -> {
                String intentId = take(args, "intent_id");
                Duration timeout = Duration.ofMillis(args.path("timeout_ms").asLong(20000));
                return client.withRawResponse().waitFor(intentId, timeout).json().get("intent");
            }));
    }

    /** @return the hand-written call of that canonical name, or null when it is a generated one */
    Call get(String method) {
        return calls.get(method);
    }

    private JsonNode handleCall(AxmeClient client, IntentHandle handle, ObjectNode args) {
        String action = args.path("action").asText();
        Object written = switch (action) {
            case "complete" -> args.has("result") ? handle.complete(toMap(args.get("result"))) : handle.complete();
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

    private static Object value(ObjectNode args, String name) {
        JsonNode node = args.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private Map<String, Object> toMap(JsonNode node) {
        return mapper.convertValue(node, new TypeReference<Map<String, Object>>() { });
    }
}
