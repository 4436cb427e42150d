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
 */
public final class RawAxmeClient {
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

    private RawResponse get(String path, Map<String, ?> query) {
        ApiRequest request = ApiRequest.get(path);
        if (query != null) {
            query.forEach(request::query);
        }
        return send(request);
    }

    private RawResponse post(String path, Object body) {
        return send(ApiRequest.post(path, body));
    }

    private static String seg(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " must be a non-empty string");
        }
        return ApiRequest.encode(value);
    }

    private static String intent(String intentId) {
        return "/v1/intents/" + seg(intentId, "intent_id");
    }

    private static String agent(String address) {
        return "/v1/agents/" + seg(address, "address");
    }

    /** @return {@code GET /health} */
    public RawResponse getHealth() {
        return get("/health", null);
    }

    /**
     * @param body the intent ({@code intent_type}, {@code to_agent}, {@code payload}, …)
     * @return {@code POST /v1/intents}
     */
    public RawResponse createIntent(Object body) {
        return post("/v1/intents", body);
    }

    /**
     * @param intentId the intent
     * @return {@code GET /v1/intents/{intent_id}}
     */
    public RawResponse getIntent(String intentId) {
        return get(intent(intentId), null);
    }

    /**
     * @param query {@code status}, {@code to_agent}, {@code from_agent}, {@code limit}, {@code cursor}; may be null
     * @return {@code GET /v1/intents}
     */
    public RawResponse listIntents(Map<String, ?> query) {
        return get("/v1/intents", query);
    }

    /**
     * @param intentId the intent
     * @param query {@code since}, {@code limit}; may be null
     * @return {@code GET /v1/intents/{intent_id}/events}
     */
    public RawResponse listIntentEvents(String intentId, Map<String, ?> query) {
        return get(intent(intentId) + "/events", query);
    }

    /**
     * {@code resumeIntentWith}: sends any resume body as given.
     *
     * @param intentId the intent
     * @param body the resume body (tagged union on {@code kind}, or a legacy form)
     * @return {@code POST /v1/intents/{intent_id}/resume}
     */
    public RawResponse resumeIntentWith(String intentId, Object body) {
        return post(intent(intentId) + "/resume", body);
    }

    /**
     * @param intentId the intent
     * @param body {@code {status, result?, error?, reason?}}
     * @return {@code POST /v1/intents/{intent_id}/resolve}
     */
    public RawResponse resolveIntent(String intentId, Object body) {
        return post(intent(intentId) + "/resolve", body);
    }

    /**
     * @param intentId the FAILED or TIMED_OUT intent
     * @param body {@code {reason?, payload_patch?, deadline_at?}}
     * @return {@code POST /v1/intents/{intent_id}/retry}
     */
    public RawResponse retryIntent(String intentId, Object body) {
        return post(intent(intentId) + "/retry", body);
    }

    /**
     * @param intentId the intent
     * @param body {@code {delivery_id}}
     * @return {@code POST /v1/intents/{intent_id}/ack}
     */
    public RawResponse ackIntent(String intentId, Object body) {
        return post(intent(intentId) + "/ack", body);
    }

    /**
     * @param intentId the intent
     * @return {@code GET /v1/intents/{intent_id}/audit}
     */
    public RawResponse getIntentAudit(String intentId) {
        return get(intent(intentId) + "/audit", null);
    }

    /**
     * @param intentId the intent
     * @return {@code GET /v1/intents/{intent_id}/notifications}
     */
    public RawResponse listNotifications(String intentId) {
        return get(intent(intentId) + "/notifications", null);
    }

    /**
     * @param body {@code {address, display_name?, delivery_mode?, callback_url?}}
     * @return {@code POST /v1/agents}
     */
    public RawResponse registerAgent(Object body) {
        return post("/v1/agents", body);
    }

    /**
     * @param query {@code limit}, {@code cursor}; may be null
     * @return {@code GET /v1/agents}
     */
    public RawResponse listAgents(Map<String, ?> query) {
        return get("/v1/agents", query);
    }

    /**
     * @param address the agent address (full or bare name)
     * @return {@code GET /v1/agents/{address}}
     */
    public RawResponse getAgent(String address) {
        return get(agent(address), null);
    }

    /**
     * @param address the agent address
     * @return {@code DELETE /v1/agents/{address}} (deregister; its keys are revoked)
     */
    public RawResponse deleteAgent(String address) {
        return send(ApiRequest.delete(agent(address)));
    }

    /**
     * @param address the agent address
     * @return {@code GET /v1/agents/{address}/keys}
     */
    public RawResponse listAgentKeys(String address) {
        return get(agent(address) + "/keys", null);
    }

    /**
     * @param address the agent address
     * @return {@code POST /v1/agents/{address}/keys}
     */
    public RawResponse createAgentKey(String address) {
        return post(agent(address) + "/keys", Map.of());
    }

    /**
     * @param address an agent with {@code delivery_mode: "http"}
     * @param body {@code {callback_secret?, overlap_seconds?}}; may be null
     * @return {@code POST /v1/agents/{address}/callback-secret} (the new secret, shown once)
     */
    public RawResponse rotateCallbackSecret(String address, Object body) {
        return post(agent(address) + "/callback-secret", body == null ? Map.of() : body);
    }

    /**
     * @param address the agent address
     * @param query {@code status}, {@code wait_seconds}, {@code limit}; may be null
     * @return {@code GET /v1/agents/{address}/intents}
     */
    public RawResponse pollAgentDeliveries(String address, Map<String, ?> query) {
        return get(agent(address) + "/intents", query);
    }

    /**
     * @param query {@code status}, {@code assignee}, {@code limit}, {@code cursor}; may be null
     * @return {@code GET /v1/tasks}
     */
    public RawResponse listTasks(Map<String, ?> query) {
        return get("/v1/tasks", query);
    }

    /**
     * @param query {@code limit}, {@code cursor}; may be null
     * @return {@code GET /v1/me/tasks} (the calling human key's inbox)
     */
    public RawResponse listMyTasks(Map<String, ?> query) {
        return get("/v1/me/tasks", query);
    }

    /**
     * @param intentId the intent whose current human step is decided
     * @param body {@code {outcome, comment?, data?, evidence?}}
     * @return {@code POST /v1/tasks/{intent_id}/decision}
     */
    public RawResponse decideTask(String intentId, Object body) {
        return post("/v1/tasks/" + seg(intentId, "intent_id") + "/decision", body);
    }

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
     * @param bundle the scenario bundle
     * @return {@code POST /v1/scenarios/validate}
     */
    public RawResponse validateScenario(Object bundle) {
        return post("/v1/scenarios/validate", bundle);
    }

    /**
     * @param body {@code {kind, name, agent_address?, human?, expires_at?}}
     * @return {@code POST /v1/admin/keys}
     */
    public RawResponse createKey(Object body) {
        return post("/v1/admin/keys", body);
    }

    /** @return {@code GET /v1/admin/keys} */
    public RawResponse listKeys() {
        return get("/v1/admin/keys", null);
    }

    /**
     * @param org the new workspace's org (one address segment)
     * @param name its name (one address segment)
     * @return {@code POST /v1/admin/workspaces} (operator keys)
     */
    public RawResponse createWorkspace(String org, String name) {
        return post("/v1/admin/workspaces", Map.of("org", org, "name", name));
    }

    /** @return {@code GET /v1/admin/workspaces} (operator keys) */
    public RawResponse listWorkspaces() {
        return get("/v1/admin/workspaces", null);
    }

    /**
     * @param body {@code {overlap_seconds?}}; may be null
     * @return {@code POST /v1/workspace/webhook-secret} (admin keys; the new secret, shown once)
     */
    public RawResponse rotateWebhookSecret(Object body) {
        return post("/v1/workspace/webhook-secret", body == null ? Map.of() : body);
    }

    /**
     * @param body {@code {overlap_seconds?}}; may be null
     * @return {@code POST /v1/server/link-secret} (operator keys; the secret is never returned)
     */
    public RawResponse rotateLinkSecret(Object body) {
        return post("/v1/server/link-secret", body == null ? Map.of() : body);
    }

    /**
     * @param keyId the key to revoke
     * @return {@code DELETE /v1/admin/keys/{key_id}}
     */
    public RawResponse revokeKey(String keyId) {
        return send(ApiRequest.delete("/v1/admin/keys/" + seg(keyId, "key_id")));
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
