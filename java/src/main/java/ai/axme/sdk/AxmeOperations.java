package ai.axme.sdk;

import ai.axme.sdk.generated.AckIntentResponse;
import ai.axme.sdk.generated.Agent;
import ai.axme.sdk.generated.AgentDeletedResponse;
import ai.axme.sdk.generated.AgentListResponse;
import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.ApplyScenarioResponse;
import ai.axme.sdk.generated.AuditResponse;
import ai.axme.sdk.generated.CallbackSecretRotatedResponse;
import ai.axme.sdk.generated.CreateAgentKeyRequest;
import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.CreateIntentResponse;
import ai.axme.sdk.generated.CreateKeyRequest;
import ai.axme.sdk.generated.DeliveryPollResponse;
import ai.axme.sdk.generated.EventListResponse;
import ai.axme.sdk.generated.HealthResponse;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentError;
import ai.axme.sdk.generated.IntentListResponse;
import ai.axme.sdk.generated.IntentWriteResponse;
import ai.axme.sdk.generated.Key;
import ai.axme.sdk.generated.KeyCreatedResponse;
import ai.axme.sdk.generated.KeyListResponse;
import ai.axme.sdk.generated.LinkSecretRotatedResponse;
import ai.axme.sdk.generated.NotificationListResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.ResolveIntentRequest;
import ai.axme.sdk.generated.RetryIntentRequest;
import ai.axme.sdk.generated.RetryIntentResponse;
import ai.axme.sdk.generated.RotateCallbackSecretRequest;
import ai.axme.sdk.generated.RotateSecretRequest;
import ai.axme.sdk.generated.ScenarioBundle;
import ai.axme.sdk.generated.TaskDecision;
import ai.axme.sdk.generated.TaskListResponse;
import ai.axme.sdk.generated.ValidateScenarioResponse;
import ai.axme.sdk.generated.WebhookSecretRotatedResponse;
import ai.axme.sdk.generated.WorkspaceCreatedResponse;
import ai.axme.sdk.generated.WorkspaceListResponse;
import java.util.Map;

/**
 * The blocking AXP operations of {@link AxmeClient}, one method per operation of {@code spec/naming.yaml};
 * users call them on the client. Kept apart from the client's helpers (submit, observe, wait, listen)
 * so that each file stays small; the asynchronous face is {@link AxmeAsyncClient}.
 */
abstract class AxmeOperations {
    final RawAxmeClient raw;
    final AgentWrites writes;

    AxmeOperations(RawAxmeClient raw, AgentWrites writes) {
        this.raw = raw;
        this.writes = writes;
    }

    // --- intents ------------------------------------------------------------------------

    /** @return the server's health ({@code GET /health}) */
    public HealthResponse getHealth() {
        return raw.getHealth().as(HealthResponse.class);
    }

    /**
     * Submits an intent ({@code POST /v1/intents}).
     *
     * @param request the intent
     * @return the id, status and creation time
     */
    public CreateIntentResponse createIntent(CreateIntentRequest request) {
        return raw.createIntent(request).as(CreateIntentResponse.class);
    }

    /**
     * @param intentId the intent
     * @return the intent ({@code GET /v1/intents/{intent_id}})
     */
    public Intent getIntent(String intentId) {
        return raw.getIntent(intentId).member("intent", Intent.class);
    }

    /**
     * @param query {@code status}, {@code to_agent}, {@code from_agent}, {@code limit}, {@code cursor}
     * @return one page of intents, newest first
     */
    public IntentListResponse listIntents(QueryParams query) {
        return raw.listIntents(query.asMap()).as(IntentListResponse.class);
    }

    /**
     * @param intentId the intent
     * @param since only events with a greater seq (0 = all)
     * @return the events, in order
     */
    public EventListResponse listIntentEvents(String intentId, long since) {
        return raw.listIntentEvents(intentId, Map.of("since", since)).as(EventListResponse.class);
    }

    /**
     * Completes the current agent step with a result ({@code kind: agent_result, outcome: complete}).
     *
     * @param intentId the intent
     * @param result the result object (a Map, POJO or JSON node); null means {@code {}}
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse resumeIntent(String intentId, Object result) {
        return resumeIntent(intentId, result, null);
    }

    /**
     * Completes the current agent step for one delivery ({@code kind: agent_result, outcome: complete,
     * delivery_id}); a delivery that is no longer current is a {@link ConflictException}
     * ({@code stale_delivery}).
     *
     * @param intentId the intent
     * @param result the result object (a Map, POJO or JSON node); null means {@code {}}
     * @param deliveryId the delivery being answered; may be null
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse resumeIntent(String intentId, Object result, String deliveryId) {
        return raw.resumeIntent(intentId, result, deliveryId).as(IntentWriteResponse.class);
    }

    /**
     * Sends any resume body as given: {@code kind} {@code agent_result}, {@code task_result},
     * {@code progress} or {@code control}, or a legacy form.
     *
     * @param intentId the intent
     * @param body the resume body (a Map, a generated {@code …Resume} model or a JSON node)
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse resumeIntentWith(String intentId, Object body) {
        return raw.resumeIntentWith(intentId, body).as(IntentWriteResponse.class);
    }

    /**
     * Fails the intent as its agent ({@code kind: agent_result, outcome: fail}).
     *
     * @param intentId the intent
     * @param error code (a missing or empty one is sent as {@code agent_error}), message, details
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse failIntent(String intentId, IntentError error) {
        return failIntent(intentId, error, null);
    }

    /**
     * Fails the intent for one delivery ({@code kind: agent_result, outcome: fail, delivery_id}).
     *
     * @param intentId the intent
     * @param error code (a missing or empty one is sent as {@code agent_error}), message, details
     * @param deliveryId the delivery being answered; may be null
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse failIntent(String intentId, IntentError error, String deliveryId) {
        if (error == null) {
            throw new IllegalArgumentException("failIntent needs an error ({code, message})");
        }
        Map<String, Object> failure = WireBodies.error(error.getCode(), error.getMessage(), null);
        if (error.getDetails() != null) {
            failure.put("details", error.getDetails());
        }
        return raw.failIntent(intentId, failure, deliveryId).as(IntentWriteResponse.class);
    }

    /**
     * Fails the intent as its agent; shorthand for {@code failIntent(intentId, new IntentError().code(code).message(message))}.
     *
     * @param intentId the intent
     * @param code machine-readable error code
     * @param message human-readable message
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse failIntent(String intentId, String code, String message) {
        return failIntent(intentId, new IntentError().code(code).message(message), null);
    }

    /**
     * Reports progress as the intent's agent ({@code kind: progress}): the intent becomes
     * IN_PROGRESS and the delivery's lease is extended.
     *
     * @param intentId the intent
     * @param details free-form progress details; may be null
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse reportProgress(String intentId, Map<String, ?> details) {
        return reportProgress(intentId, details, null);
    }

    /**
     * Reports progress for one delivery ({@code kind: progress, delivery_id}); a delivery that is
     * no longer current is a {@link ConflictException} ({@code stale_delivery}).
     *
     * @param intentId the intent
     * @param details free-form progress details; may be null
     * @param deliveryId the delivery being worked on; may be null
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse reportProgress(String intentId, Map<String, ?> details, String deliveryId) {
        return writes.progress(intentId, deliveryId, details).as(IntentWriteResponse.class);
    }

    /**
     * Moves the intent to a terminal status ({@code POST …/resolve}).
     *
     * @param intentId the intent
     * @param request {@code status} (COMPLETED, FAILED, CANCELED) and optional result, error, reason
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse resolveIntent(String intentId, ResolveIntentRequest request) {
        return raw.resolveIntent(intentId, request).as(IntentWriteResponse.class);
    }

    /**
     * Starts a new attempt of a FAILED or TIMED_OUT intent from the step that failed, keeping the
     * completed steps' results ({@code POST …/retry}, REQ-REATTEMPT-005); {@link AxmeClient#waitFor(String)}
     * and {@link AxmeClient#observe(String)} on the old id lead to the new attempt.
     *
     * @param intentId the failed intent
     * @param request optional {@code reason}, {@code payload_patch} (a JSON merge patch), {@code deadline_at}
     * @return the new attempt: its id, {@code retry_of}, {@code attempt}, status and {@code from_step}
     */
    public RetryIntentResponse retryIntent(String intentId, RetryIntentRequest request) {
        return raw.retryIntent(intentId, request == null ? new RetryIntentRequest() : request)
                .as(RetryIntentResponse.class);
    }

    /**
     * Cancels the intent (resolve with status CANCELED).
     *
     * @param intentId the intent
     * @param reason why, recorded on the intent; may be null
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse cancelIntent(String intentId, String reason) {
        return raw.cancelIntent(intentId, reason).as(IntentWriteResponse.class);
    }

    /**
     * Acknowledges a delivery, holding its lease.
     *
     * @param intentId the intent
     * @param deliveryId the delivery
     * @return the intent and the lease expiry
     */
    public AckIntentResponse ackIntent(String intentId, String deliveryId) {
        return writes.ack(intentId, deliveryId).as(AckIntentResponse.class);
    }

    /**
     * @param intentId the intent
     * @return who decided what, when, through which channel
     */
    public AuditResponse getIntentAudit(String intentId) {
        return getIntentAudit(intentId, QueryParams.empty());
    }

    /**
     * One page of the audit trail (REQ-LIMIT-013): the next starts at {@code since = next_seq - 1}.
     *
     * @param intentId the intent
     * @param query {@code since} (entries with a greater seq), {@code limit} (1..1000)
     * @return that page of the trail and its {@code next_seq}
     */
    public AuditResponse getIntentAudit(String intentId, QueryParams query) {
        return raw.getIntentAudit(intentId, query.asMap()).as(AuditResponse.class);
    }

    /**
     * The intent's notifications (email, webhook, Slack) with their delivery status;
     * admin or initiator keys (REQ-NOTIFY-005).
     *
     * @param intentId the intent
     * @return every notification, oldest first
     */
    public NotificationListResponse listNotifications(String intentId) {
        return raw.listNotifications(intentId).as(NotificationListResponse.class);
    }

    // --- agents -------------------------------------------------------------------------

    /**
     * Registers an agent; the response carries its API key (shown once).
     *
     * @param request address, display name, delivery mode, callback URL
     * @return the agent and its key
     */
    public AgentRegisteredResponse registerAgent(RegisterAgentRequest request) {
        return raw.registerAgent(request).as(AgentRegisteredResponse.class);
    }

    /**
     * @param query {@code limit}, {@code cursor}
     * @return one page of agents
     */
    public AgentListResponse listAgents(QueryParams query) {
        return raw.listAgents(query.asMap()).as(AgentListResponse.class);
    }

    /**
     * @param address full address or bare registered name
     * @return the agent
     */
    public Agent getAgent(String address) {
        return raw.getAgent(address).member("agent", Agent.class);
    }

    /**
     * Deregisters an agent; its keys are revoked with it (REQ-AUTH-015).
     *
     * @param address the agent
     * @return the removed agent and the revoked key ids
     */
    public AgentDeletedResponse deleteAgent(String address) {
        return raw.deleteAgent(address).as(AgentDeletedResponse.class);
    }

    /**
     * @param address the agent
     * @return its keys, metadata only (REQ-AUTH-016)
     */
    public KeyListResponse listAgentKeys(String address) {
        return raw.listAgentKeys(address).as(KeyListResponse.class);
    }

    /**
     * @param address the agent
     * @return a new key for it (the secret is shown once)
     */
    public KeyCreatedResponse createAgentKey(String address) {
        return createAgentKey(address, null);
    }

    /**
     * @param address the agent
     * @param request the key's {@code name}, {@code expires_at}; may be null
     * @return a new key for it (the secret is shown once)
     */
    public KeyCreatedResponse createAgentKey(String address, CreateAgentKeyRequest request) {
        return raw.createAgentKey(address, request).as(KeyCreatedResponse.class);
    }

    /**
     * Makes a new callback secret current for an http agent; the previous one keeps verifying for
     * {@code overlap_seconds} (REQ-SECRET-004/006).
     *
     * @param address the agent ({@code delivery_mode: "http"})
     * @param request {@code callback_secret} (generated when absent), {@code overlap_seconds}; may be null
     * @return the agent and the new secret, shown only here
     */
    public CallbackSecretRotatedResponse rotateCallbackSecret(String address, RotateCallbackSecretRequest request) {
        return raw.rotateCallbackSecret(address, request).as(CallbackSecretRotatedResponse.class);
    }

    /**
     * Long-polls for deliveries (the {@code poll} binding; {@link AxmeClient#listen(String, DeliveryHandler)} is usually simpler).
     *
     * @param address the agent
     * @param query {@code status}, {@code wait_seconds}, {@code limit}
     * @return the leased deliveries
     */
    public DeliveryPollResponse pollAgentDeliveries(String address, QueryParams query) {
        return raw.pollAgentDeliveries(address, query.asMap()).as(DeliveryPollResponse.class);
    }

    // --- humans -------------------------------------------------------------------------

    /**
     * @param query {@code status} (pending|all), {@code assignee}, {@code limit}, {@code cursor}
     * @return one page of human tasks
     */
    public TaskListResponse listTasks(QueryParams query) {
        return raw.listTasks(query.asMap()).as(TaskListResponse.class);
    }

    /**
     * The calling human key's inbox: its pending tasks, oldest first (REQ-HUMAN-024).
     *
     * @param query {@code limit}, {@code cursor}
     * @return one page of the caller's tasks
     */
    public TaskListResponse listMyTasks(QueryParams query) {
        return raw.listMyTasks(query.asMap()).as(TaskListResponse.class);
    }

    /**
     * Decides the intent's current human step.
     *
     * @param intentId the intent
     * @param decision outcome, comment, data, evidence
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse decideTask(String intentId, TaskDecision decision) {
        return raw.decideTask(intentId, decision).as(IntentWriteResponse.class);
    }

    /**
     * @param intentId the intent
     * @param comment optional comment
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse approveTask(String intentId, String comment) {
        return completeTask(intentId, "approved", null, comment);
    }

    /**
     * @param intentId the intent
     * @param comment optional comment (some tasks require one)
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse rejectTask(String intentId, String comment) {
        return completeTask(intentId, "rejected", null, comment);
    }

    /**
     * @param intentId the intent
     * @param outcome one of the task's allowed outcomes
     * @param data form data, validated against the task's form schema; may be null
     * @param comment optional comment
     * @return the write's outcome and the updated intent
     */
    public IntentWriteResponse completeTask(String intentId, String outcome, Map<String, ?> data, String comment) {
        return raw.completeTask(intentId, outcome, data, comment).as(IntentWriteResponse.class);
    }

    // --- scenarios and admin ------------------------------------------------------------

    /**
     * @param bundle the scenario bundle
     * @return the created intent and the provisioned agents (with keys, once)
     */
    public ApplyScenarioResponse applyScenario(ScenarioBundle bundle) {
        return raw.applyScenario(bundle).as(ApplyScenarioResponse.class);
    }

    /**
     * @param bundle the scenario bundle
     * @return every problem found (an empty list when valid)
     */
    public ValidateScenarioResponse validateScenario(ScenarioBundle bundle) {
        return raw.validateScenario(bundle).as(ValidateScenarioResponse.class);
    }

    /**
     * @param request kind, name, agent address or human identity, expiry
     * @return the key and its secret (shown once)
     */
    public KeyCreatedResponse createKey(CreateKeyRequest request) {
        return raw.createKey(request).as(KeyCreatedResponse.class);
    }

    /**
     * A new workspace and its first admin key, shown once (operator keys, REQ-AUTH-017).
     *
     * @param org one address segment
     * @param name one address segment
     * @return the workspace and its admin key
     */
    public WorkspaceCreatedResponse createWorkspace(String org, String name) {
        return raw.createWorkspace(org, name).as(WorkspaceCreatedResponse.class);
    }

    /** @return every workspace of the server, oldest first (operator keys) */
    public WorkspaceListResponse listWorkspaces() {
        return raw.listWorkspaces().as(WorkspaceListResponse.class);
    }

    /**
     * Makes a new webhook-signing secret current for the workspace (admin keys, REQ-SECRET-007).
     *
     * @param request {@code overlap_seconds}; may be null
     * @return the new secret, shown only here
     */
    public WebhookSecretRotatedResponse rotateWebhookSecret(RotateSecretRequest request) {
        return raw.rotateWebhookSecret(request).as(WebhookSecretRotatedResponse.class);
    }

    /**
     * Replaces the server's decision-link secret (an admin key of the first workspace, REQ-SECRET-008).
     *
     * @param request {@code overlap_seconds}; may be null
     * @return when it was rotated; the secret itself is never returned
     */
    public LinkSecretRotatedResponse rotateLinkSecret(RotateSecretRequest request) {
        return raw.rotateLinkSecret(request).as(LinkSecretRotatedResponse.class);
    }

    /** @return every key of the workspace (never secrets) */
    public KeyListResponse listKeys() {
        return raw.listKeys().as(KeyListResponse.class);
    }

    /**
     * @param keyId the key
     * @return the revoked key
     */
    public Key revokeKey(String keyId) {
        return raw.revokeKey(keyId).member("key", Key.class);
    }
}
