package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Request bodies of the SDK helpers, built the same way in every SDK (absent options are left out). */
final class WireBodies {
    private WireBodies() {
    }

    /** Top-level members by which the server reads a body as a resume form (REQ-RESUME-002). */
    private static final List<String> RESUME_FORM_MEMBERS = List.of("kind", "action", "task_result", "approve_current_step");

    static boolean isResumeForm(Object result) {
        if (result instanceof JsonNode node) {
            return node.isObject() && RESUME_FORM_MEMBERS.stream().anyMatch(node::has);
        }
        return result instanceof Map<?, ?> map && RESUME_FORM_MEMBERS.stream().anyMatch(map::containsKey);
    }

    private static final ObjectMapper MAPPER = Json.newMapper();

    /**
     * The agent_result complete body; a result that already is a resume form (e.g. the legacy
     * {@code {action: fail, reason}}) is sent as given, never wrapped (REQ-RESUME-010), with only a missing
     * delivery id added.
     */
    static Map<String, Object> agentResult(Object result, String deliveryId) {
        if (isResumeForm(result)) {
            Map<String, Object> given = new LinkedHashMap<>();
            if (result instanceof JsonNode node) {
                given.putAll(MAPPER.convertValue(node, Json.MAP_TYPE));
            } else {
                ((Map<?, ?>) result).forEach((k, v) -> given.put(String.valueOf(k), v));
            }
            if (!given.containsKey("delivery_id")) {
                putIfPresent(given, "delivery_id", deliveryId);
            }
            return given;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "agent_result");
        body.put("outcome", "complete");
        body.put("result", result == null ? Map.of() : result);
        putIfPresent(body, "delivery_id", deliveryId);
        return body;
    }

    /** The error code of a failure that names none: a handler's exception, or failIntent without a code. */
    static final String DEFAULT_ERROR_CODE = "agent_error";

    static Map<String, Object> agentFailure(Map<String, ?> error, String deliveryId) {
        if (error == null) {
            throw new IllegalArgumentException("failing an intent needs an error object ({code, message})");
        }
        Map<String, Object> failure = new LinkedHashMap<>(error);
        Object code = failure.get("code");
        if (code == null || code.toString().isEmpty()) {
            failure.put("code", DEFAULT_ERROR_CODE);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "agent_result");
        body.put("outcome", "fail");
        body.put("error", failure);
        putIfPresent(body, "delivery_id", deliveryId);
        return body;
    }

    static Map<String, Object> progress(Map<String, ?> details, String deliveryId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", "progress");
        putIfPresent(body, "details", details);
        putIfPresent(body, "delivery_id", deliveryId);
        return body;
    }

    static Map<String, Object> error(String code, String message, Map<String, ?> details) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        putIfPresent(error, "details", details);
        return error;
    }

    static Map<String, Object> cancel(String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "CANCELED");
        putIfPresent(body, "reason", reason);
        return body;
    }

    static Map<String, Object> decision(String outcome, Object data, String comment) {
        if (outcome == null || outcome.isEmpty()) {
            throw new IllegalArgumentException("a task decision needs an outcome (e.g. \"approved\")");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("outcome", outcome);
        putIfPresent(body, "data", data);
        putIfPresent(body, "comment", comment);
        return body;
    }

    static Map<String, Object> intent(String intentType, String toAgent, Map<String, ?> payload) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("intent_type", intentType);
        body.put("to_agent", toAgent);
        body.put("payload", payload == null ? Map.of() : payload);
        return body;
    }

    private static void putIfPresent(Map<String, Object> body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}
