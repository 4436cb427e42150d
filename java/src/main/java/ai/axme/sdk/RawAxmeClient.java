package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;

/**
 * Every AXP operation with wire-level input and output: bodies are any Jackson-serializable
 * value (a {@code Map}, a {@code JsonNode} or a generated model) sent as-is, and each call returns
 * the {@link RawResponse} exactly as the server sent it. Retries, headers and error mapping are
 * the same as {@link AxmeClient}'s. Obtain it with {@link AxmeClient#withRawResponse()}.
 *
 * <p>The calls that follow the spec's wire shape are generated into {@code RawAxmeOperations}
 * ({@code java/tools/gen_raw_face.py}, {@code make gen}); this file adds the helpers and the
 * few calls whose Java shape differs.
 */
public final class RawAxmeClient extends RawAxmeOperations {
    private final ClientResources resources;
    private final Transport core;
    private final RequestOptions options;

    RawAxmeClient(ClientResources resources, RequestOptions options) {
        this.resources = resources;
        this.core = resources.core();
        this.options = options;
    }

    private RawResponse send(ApiRequest request) {
        request.header("X-Trace-Id", options.traceId());
        if (request.idempotencyKey == null) {
            request.idempotencyKey(options.idempotencyKey());
        }
        return core.call(request);
    }

    @Override
    RawResponse get(String path, Map<String, ?> query) {
        ApiRequest request = ApiRequest.get(path);
        if (query != null) {
            query.forEach(request::query);
        }
        return send(request);
    }

    @Override
    RawResponse post(String path, Object body) {
        return send(ApiRequest.post(path, body));
    }

    @Override
    RawResponse delete(String path) {
        return send(ApiRequest.delete(path));
    }

    // --- operations whose Java shape is not the spec's; the others are generated ---------------

    /**
     * @param bundle the scenario bundle
     * @return {@code POST /v1/scenarios/apply}
     */
    public RawResponse applyScenario(Object bundle) {
        // A bundle's own idempotency_key travels as the header (REQ-IDEMP-008); the per-call key wins.
        ObjectNode body = core.mapper().valueToTree(bundle);
        JsonNode bundleKey = body.remove("idempotency_key");
        ApiRequest request = ApiRequest.post("/v1/scenarios/apply", body);
        if (options.idempotencyKey() == null && bundleKey != null && bundleKey.isTextual()) {
            request.idempotencyKey(bundleKey.asText());
        }
        return send(request);
    }

    /**
     * @param org the new workspace's org (one address segment)
     * @param name its name (one address segment)
     * @return {@code POST /v1/admin/workspaces} (operator keys)
     */
    public RawResponse createWorkspace(String org, String name) {
        return post("/v1/admin/workspaces", Map.of("org", org, "name", name));
    }

    // --- SDK helpers (spec/naming.yaml), returning the server's body too --------------------

    /**
     * {@code sendIntent}: creates the intent; the body's {@code intent_id} is the new id.
     *
     * @param intentType the intent type
     * @param toAgent the agent address
     * @param payload the payload, may be null
     * @return {@code POST /v1/intents}
     */
    public RawResponse sendIntent(String intentType, String toAgent, Map<String, ?> payload) {
        return createIntent(WireBodies.intent(intentType, toAgent, payload));
    }

    /**
     * {@code resumeIntent}: completes the agent step with a result ({@code kind: agent_result, outcome: complete}).
     *
     * @param intentId the intent
     * @param result the result, null means {@code {}}
     * @param deliveryId the delivery being answered, may be null
     * @return {@code POST …/resume}
     */
    public RawResponse resumeIntent(String intentId, Object result, String deliveryId) {
        return resumeIntentWith(intentId, WireBodies.agentResult(result, deliveryId));
    }

    /**
     * {@code failIntent}: fails the agent step ({@code kind: agent_result, outcome: fail}).
     *
     * @param intentId the intent
     * @param error {@code {code, message, details?}}; a missing or empty code is sent as {@code agent_error}
     * @param deliveryId the delivery being answered, may be null
     * @return {@code POST …/resume}
     */
    public RawResponse failIntent(String intentId, Map<String, ?> error, String deliveryId) {
        return resumeIntentWith(intentId, WireBodies.agentFailure(error, deliveryId));
    }

    /**
     * {@code cancelIntent}: resolves the intent as CANCELED.
     *
     * @param intentId the intent
     * @param reason why, may be null
     * @return {@code POST …/resolve}
     */
    public RawResponse cancelIntent(String intentId, String reason) {
        return resolveIntent(intentId, WireBodies.cancel(reason));
    }

    /**
     * {@code completeTask} (and {@code approveTask}, {@code rejectTask}): decides the current human step.
     *
     * @param intentId the intent
     * @param outcome {@code approved}, {@code rejected}, {@code completed}, …
     * @param data form data, may be null
     * @param comment may be null
     * @return {@code POST /v1/tasks/{intent_id}/decision}
     */
    public RawResponse completeTask(String intentId, String outcome, Object data, String comment) {
        return decideTask(intentId, WireBodies.decision(outcome, data, comment));
    }

    /**
     * {@code waitFor}: the intent once terminal (the last {@code GET /v1/intents/{id}} response).
     *
     * @param intentId the intent
     * @param timeout the longest to wait, or null to wait indefinitely
     * @return the response holding the terminal intent
     * @throws WaitTimeoutException when the timeout elapses first
     */
    public RawResponse waitFor(String intentId, Duration timeout) {
        return new Waiter(resources, this).waitFor(intentId, timeout == null ? Deadline.none() : Deadline.after(timeout));
    }
}
