package ai.axme.sdk;

import ai.axme.sdk.generated.AckIntentResponse;
import ai.axme.sdk.generated.Agent;
import ai.axme.sdk.generated.AgentDeletedResponse;
import ai.axme.sdk.generated.AgentListResponse;
import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.ApplyScenarioResponse;
import ai.axme.sdk.generated.AuditResponse;
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
import ai.axme.sdk.generated.NotificationListResponse;
import ai.axme.sdk.generated.RegisterAgentRequest;
import ai.axme.sdk.generated.ResolveIntentRequest;
import ai.axme.sdk.generated.RetryIntentRequest;
import ai.axme.sdk.generated.RetryIntentResponse;
import ai.axme.sdk.generated.ScenarioBundle;
import ai.axme.sdk.generated.TaskDecision;
import ai.axme.sdk.generated.TaskListResponse;
import ai.axme.sdk.generated.ValidateScenarioResponse;
import ai.axme.sdk.generated.WorkspaceCreatedResponse;
import ai.axme.sdk.generated.WorkspaceListResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The AXME client: every AXP operation as a blocking call plus a {@code …Async} variant, live
 * {@link #observe(String) observation}, {@link #waitFor(String, Duration) waiting} and the agent
 * loop {@link #listen(String, DeliveryHandler)}. Immutable and thread-safe; build one per
 * configuration and share it. Closing it stops its background threads.
 *
 * <pre>{@code
 * try (AxmeClient client = AxmeClient.builder().apiKey(key).build()) {
 *     String id = client.sendIntent("intent.demo.hello.v1", "agent://local/default/greeter",
 *             Map.of("name", "Ada"));
 *     Intent done = client.waitFor(id, Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>Interrupting a thread blocked in a call cancels it (a {@link java.util.concurrent.CancellationException}
 * is thrown and nothing is retried); cancelling an {@code …Async} future does the same.
 */
public final class AxmeClient implements AutoCloseable {
    private final ClientResources resources;
    private final RawAxmeClient raw;
    private final AgentWrites writes;
    private final boolean ownsResources;

    AxmeClient(ClientResources resources, RequestOptions options, boolean ownsResources) {
        this.resources = resources;
        this.raw = new RawAxmeClient(resources, options);
        this.writes = new AgentWrites(new RawAxmeClient(resources, RequestOptions.NONE));
        this.ownsResources = ownsResources;
    }

    /**
     * A view of this client whose calls carry the given trace id and/or idempotency key. It shares
     * this client's connections and threads; closing the view does nothing.
     *
     * @param options per-call settings
     * @return the view
     */
    public AxmeClient withOptions(RequestOptions options) {
        return new AxmeClient(resources, options, false);
    }

    /** @return a builder; {@code AXME_API_KEY} and {@code AXME_BASE_URL} fill what is not set */
    public static AxmeClientBuilder builder() {
        return new AxmeClientBuilder();
    }

    /** @return the same operations with wire-level input and output (exact JSON, status, headers) */
    public RawAxmeClient withRawResponse() {
        return raw;
    }

    /** @return the base URL requests go to */
    public String baseUrl() {
        return resources.core().settings().baseUrl().toString();
    }

    /** @return the Jackson mapper the client reads and writes models with */
    public ObjectMapper objectMapper() {
        return resources.core().mapper().copy();
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
     * Submits an intent and returns its id.
     *
     * @param request the intent
     * @return the new intent's id
     */
    public String sendIntent(CreateIntentRequest request) {
        return raw.createIntent(request).body().path("intent_id").asText();
    }

    /**
     * Submits an intent and returns its id.
     *
     * @param intentType e.g. {@code intent.infra.change_approval.v1}
     * @param toAgent the agent address (or bare registered name)
     * @param payload the intent's payload
     * @return the new intent's id
     */
    public String sendIntent(String intentType, String toAgent, Map<String, ?> payload) {
        return raw.sendIntent(intentType, toAgent, payload).body().path("intent_id").asText();
    }

    /**
     * Submits an intent given as wire JSON ({@code intent_type}, {@code to_agent}, {@code payload},
     * {@code human_task}, …) and returns its id. Only the members given are sent.
     *
     * @param request the intent's wire members
     * @return the new intent's id
     */
    public String sendIntent(Map<String, ?> request) {
        return raw.createIntent(request).body().path("intent_id").asText();
    }

    /**
     * Submits an intent (as {@link #sendIntent(CreateIntentRequest)} does) and returns its handle (REQ-CLIENT-010).
     *
     * @param request the intent
     * @return the handle: waitFor, observe, get, complete, fail, cancel act on the new intent
     */
    public IntentHandle submitIntent(CreateIntentRequest request) {
        return handleOf(raw.createIntent(request).as(CreateIntentResponse.class));
    }

    /**
     * Submits an intent and returns its handle (REQ-CLIENT-010).
     *
     * @param intentType e.g. {@code intent.infra.change_approval.v1}
     * @param toAgent the agent address (or bare registered name)
     * @param payload the intent's payload
     * @return the handle of the new intent
     */
    public IntentHandle submitIntent(String intentType, String toAgent, Map<String, ?> payload) {
        return handleOf(raw.sendIntent(intentType, toAgent, payload).as(CreateIntentResponse.class));
    }

    /**
     * Submits an intent given as wire JSON and returns its handle (REQ-CLIENT-010).
     *
     * @param request the intent's wire members
     * @return the handle of the new intent
     */
    public IntentHandle submitIntent(Map<String, ?> request) {
        return handleOf(raw.createIntent(request).as(CreateIntentResponse.class));
    }

    private IntentHandle handleOf(CreateIntentResponse created) {
        return new IntentHandle(this, String.valueOf(created.getIntentId()), created);
    }

    /**
     * @param intentId an existing intent
     * @return its handle (no request is sent)
     */
    public IntentHandle intent(String intentId) {
        return new IntentHandle(this, intentId, null);
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
     * completed steps' results ({@code POST …/retry}, REQ-REATTEMPT-005); {@link #waitFor(String)}
     * and {@link #observe(String)} on the old id lead to the new attempt.
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
        return raw.getIntentAudit(intentId).as(AuditResponse.class);
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
        return raw.createAgentKey(address).as(KeyCreatedResponse.class);
    }

    /**
     * Long-polls for deliveries (the {@code poll} binding; {@link #listen} is usually simpler).
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

    // --- streams, waiting and the agent loop --------------------------------------------

    /**
     * Follows the intent's events live, from the first one, until a terminal event.
     *
     * @param intentId the intent
     * @return the stream; close it to stop early
     */
    public EventStream observe(String intentId) {
        return observe(intentId, 0);
    }

    /**
     * Follows the intent's events with seq greater than {@code since}.
     *
     * @param intentId the intent
     * @param since the last seq already seen (0 = from the start)
     * @return the stream; close it to stop early
     */
    public EventStream observe(String intentId, long since) {
        return observe(intentId, since, true);
    }

    /**
     * Follows the intent's events with seq greater than {@code since}.
     *
     * @param intentId the intent
     * @param since the last seq already seen (0 = from the start)
     * @param untilTerminal true to end after the terminal event; false to follow until closed
     * @return the stream; close it to stop
     */
    public EventStream observe(String intentId, long since, boolean untilTerminal) {
        IntentEventFeed feed = new IntentEventFeed(resources.core(), resources.watchdog(), intentId, since,
                Deadline.none(), untilTerminal);
        EventStream.Successor retried = untilTerminal ? this::retriedFeed : null;
        return new EventStream(feed, resources.core().mapper(), retried);
    }

    /**
     * The events of the attempt that retried a FAILED/TIMED_OUT intent, or null (REQ-REATTEMPT-009).
     * A failed read ends the stream quietly: its terminal event was already yielded.
     */
    private IntentEventFeed retriedFeed(String intentId) {
        String next;
        try {
            next = Waiter.retriedBy(raw.getIntent(intentId));
        } catch (AxmeException unreadable) {
            System.getLogger("ai.axme.sdk").log(System.Logger.Level.DEBUG,
                    "observe: reading " + intentId + " for a retry link failed: " + unreadable.getMessage());
            return null;
        }
        return next == null ? null
                : new IntentEventFeed(resources.core(), resources.watchdog(), next, 0, Deadline.none(), true);
    }

    /**
     * Blocks until the intent is terminal (COMPLETED, FAILED, CANCELED or TIMED_OUT) and returns it;
     * FAILED, CANCELED and TIMED_OUT are results, not errors. Interrupting the caller never changes
     * the intent.
     *
     * @param intentId the intent
     * @return the terminal intent
     */
    public Intent waitFor(String intentId) {
        return raw.waitFor(intentId, null).member("intent", Intent.class);
    }

    /**
     * Like {@link #waitFor(String)}, but gives up after {@code timeout}.
     *
     * @param intentId the intent
     * @param timeout the longest to wait
     * @return the terminal intent
     * @throws WaitTimeoutException when the timeout elapses first
     */
    public Intent waitFor(String intentId, Duration timeout) {
        return raw.waitFor(intentId, timeout).member("intent", Intent.class);
    }

    /**
     * Serves deliveries for an agent until closed: acks each, renews its lease while the handler
     * runs, then resumes with the handler's result or fails the intent with its error.
     *
     * @param address the agent address (its key must be this client's)
     * @param handler the agent's work
     * @return the running listener
     */
    public Listener listen(String address, DeliveryHandler handler) {
        return listen(address, handler, ListenOptions.defaults());
    }

    /**
     * Like {@link #listen(String, DeliveryHandler)}, with options such as a delivery limit.
     *
     * @param address the agent address
     * @param handler the agent's work
     * @param options listener options
     * @return the running listener
     */
    public Listener listen(String address, DeliveryHandler handler, ListenOptions options) {
        HttpCore core = resources.core();
        Listener listener = new Listener(address, options,
                sink -> new DeliveryFeed(core, resources.watchdog(), raw, address, sink), deliveryProcessor(handler));
        listener.start();
        return listener;
    }

    /**
     * A receiver for the push binding ({@code delivery_mode: "http"}, REQ-PUSH-*): an {@code HttpHandler}
     * for the JDK's {@code com.sun.net.httpserver} that verifies each push and runs {@code handler} exactly
     * as {@link #listen(String, DeliveryHandler)} does. Servlet stacks use {@link PushVerifier} directly.
     *
     * @param handler the agent's work (the same one {@code listen} runs)
     * @param verifier the signing secret(s) and verification settings
     * @return the receiver; close it to stop
     */
    public PushReceiver pushReceiver(DeliveryHandler handler, PushVerifier verifier) {
        return new PushReceiver(verifier, deliveryProcessor(handler));
    }

    private DeliveryProcessor deliveryProcessor(DeliveryHandler handler) {
        return new DeliveryProcessor(writes, handler, resources.scheduler(), resources.core().mapper());
    }

    // --- async variants -----------------------------------------------------------------

    private <T> CompletableFuture<T> async(Supplier<T> call) {
        return resources.async().run(call);
    }

    /** @return async {@link #getHealth()} */
    public CompletableFuture<HealthResponse> getHealthAsync() {
        return async(this::getHealth);
    }

    /**
     * @param request the intent
     * @return async {@link #createIntent(CreateIntentRequest)}
     */
    public CompletableFuture<CreateIntentResponse> createIntentAsync(CreateIntentRequest request) {
        return async(() -> createIntent(request));
    }

    /**
     * @param request the intent
     * @return async {@link #sendIntent(CreateIntentRequest)}
     */
    public CompletableFuture<String> sendIntentAsync(CreateIntentRequest request) {
        return async(() -> sendIntent(request));
    }

    /**
     * @param intentId the intent
     * @return async {@link #getIntent(String)}
     */
    public CompletableFuture<Intent> getIntentAsync(String intentId) {
        return async(() -> getIntent(intentId));
    }

    /**
     * @param query filters
     * @return async {@link #listIntents(QueryParams)}
     */
    public CompletableFuture<IntentListResponse> listIntentsAsync(QueryParams query) {
        return async(() -> listIntents(query));
    }

    /**
     * @param intentId the intent
     * @param since last seq seen
     * @return async {@link #listIntentEvents(String, long)}
     */
    public CompletableFuture<EventListResponse> listIntentEventsAsync(String intentId, long since) {
        return async(() -> listIntentEvents(intentId, since));
    }

    /**
     * @param intentId the intent
     * @param result the result
     * @return async {@link #resumeIntent(String, Object)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntentAsync(String intentId, Object result) {
        return async(() -> resumeIntent(intentId, result));
    }

    /**
     * @param intentId the intent
     * @param result the result
     * @param deliveryId the delivery; may be null
     * @return async {@link #resumeIntent(String, Object, String)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntentAsync(String intentId, Object result, String deliveryId) {
        return async(() -> resumeIntent(intentId, result, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param body the resume body
     * @return async {@link #resumeIntentWith(String, Object)}
     */
    public CompletableFuture<IntentWriteResponse> resumeIntentWithAsync(String intentId, Object body) {
        return async(() -> resumeIntentWith(intentId, body));
    }

    /**
     * @param intentId the intent
     * @param error the error
     * @return async {@link #failIntent(String, IntentError)}
     */
    public CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, IntentError error) {
        return async(() -> failIntent(intentId, error));
    }

    /**
     * @param intentId the intent
     * @param error the error
     * @param deliveryId the delivery; may be null
     * @return async {@link #failIntent(String, IntentError, String)}
     */
    public CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, IntentError error, String deliveryId) {
        return async(() -> failIntent(intentId, error, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param code error code
     * @param message error message
     * @return async {@link #failIntent(String, String, String)}
     */
    public CompletableFuture<IntentWriteResponse> failIntentAsync(String intentId, String code, String message) {
        return async(() -> failIntent(intentId, code, message));
    }

    /**
     * @param intentId the intent
     * @param details progress details; may be null
     * @return async {@link #reportProgress(String, Map)}
     */
    public CompletableFuture<IntentWriteResponse> reportProgressAsync(String intentId, Map<String, ?> details) {
        return async(() -> reportProgress(intentId, details));
    }

    /**
     * @param intentId the intent
     * @param details progress details; may be null
     * @param deliveryId the delivery; may be null
     * @return async {@link #reportProgress(String, Map, String)}
     */
    public CompletableFuture<IntentWriteResponse> reportProgressAsync(String intentId, Map<String, ?> details,
            String deliveryId) {
        return async(() -> reportProgress(intentId, details, deliveryId));
    }

    /**
     * @param intentId the intent
     * @param request the resolution
     * @return async {@link #resolveIntent}
     */
    public CompletableFuture<IntentWriteResponse> resolveIntentAsync(String intentId, ResolveIntentRequest request) {
        return async(() -> resolveIntent(intentId, request));
    }

    /**
     * @param intentId the failed intent
     * @param request optional reason, payload_patch, deadline_at
     * @return async {@link #retryIntent}
     */
    public CompletableFuture<RetryIntentResponse> retryIntentAsync(String intentId, RetryIntentRequest request) {
        return async(() -> retryIntent(intentId, request));
    }

    /**
     * @param intentId the intent
     * @param reason why
     * @return async {@link #cancelIntent(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> cancelIntentAsync(String intentId, String reason) {
        return async(() -> cancelIntent(intentId, reason));
    }

    /**
     * @param intentId the intent
     * @param deliveryId the delivery
     * @return async {@link #ackIntent}
     */
    public CompletableFuture<AckIntentResponse> ackIntentAsync(String intentId, String deliveryId) {
        return async(() -> ackIntent(intentId, deliveryId));
    }

    /**
     * @param intentId the intent
     * @return async {@link #getIntentAudit(String)}
     */
    public CompletableFuture<AuditResponse> getIntentAuditAsync(String intentId) {
        return async(() -> getIntentAudit(intentId));
    }

    /**
     * @param intentId the intent
     * @return async {@link #listNotifications(String)}
     */
    public CompletableFuture<NotificationListResponse> listNotificationsAsync(String intentId) {
        return async(() -> listNotifications(intentId));
    }

    /**
     * @param request the agent
     * @return async {@link #registerAgent(RegisterAgentRequest)}
     */
    public CompletableFuture<AgentRegisteredResponse> registerAgentAsync(RegisterAgentRequest request) {
        return async(() -> registerAgent(request));
    }

    /**
     * @param query paging
     * @return async {@link #listAgents(QueryParams)}
     */
    public CompletableFuture<AgentListResponse> listAgentsAsync(QueryParams query) {
        return async(() -> listAgents(query));
    }

    /**
     * @param address the agent
     * @return async {@link #getAgent(String)}
     */
    public CompletableFuture<Agent> getAgentAsync(String address) {
        return async(() -> getAgent(address));
    }

    /**
     * @param address the agent
     * @return async {@link #createAgentKey(String)}
     */
    public CompletableFuture<KeyCreatedResponse> createAgentKeyAsync(String address) {
        return async(() -> createAgentKey(address));
    }

    /**
     * @param address the agent
     * @return async {@link #deleteAgent(String)}
     */
    public CompletableFuture<AgentDeletedResponse> deleteAgentAsync(String address) {
        return async(() -> deleteAgent(address));
    }

    /**
     * @param address the agent
     * @return async {@link #listAgentKeys(String)}
     */
    public CompletableFuture<KeyListResponse> listAgentKeysAsync(String address) {
        return async(() -> listAgentKeys(address));
    }

    /**
     * @param query paging
     * @return async {@link #listMyTasks(QueryParams)}
     */
    public CompletableFuture<TaskListResponse> listMyTasksAsync(QueryParams query) {
        return async(() -> listMyTasks(query));
    }

    /**
     * @param org one address segment
     * @param name one address segment
     * @return async {@link #createWorkspace(String, String)}
     */
    public CompletableFuture<WorkspaceCreatedResponse> createWorkspaceAsync(String org, String name) {
        return async(() -> createWorkspace(org, name));
    }

    /** @return async {@link #listWorkspaces()} */
    public CompletableFuture<WorkspaceListResponse> listWorkspacesAsync() {
        return async(() -> listWorkspaces());
    }

    /**
     * @param address the agent
     * @param query options
     * @return async {@link #pollAgentDeliveries}
     */
    public CompletableFuture<DeliveryPollResponse> pollAgentDeliveriesAsync(String address, QueryParams query) {
        return async(() -> pollAgentDeliveries(address, query));
    }

    /**
     * @param query filters
     * @return async {@link #listTasks(QueryParams)}
     */
    public CompletableFuture<TaskListResponse> listTasksAsync(QueryParams query) {
        return async(() -> listTasks(query));
    }

    /**
     * @param intentId the intent
     * @param decision the decision
     * @return async {@link #decideTask}
     */
    public CompletableFuture<IntentWriteResponse> decideTaskAsync(String intentId, TaskDecision decision) {
        return async(() -> decideTask(intentId, decision));
    }

    /**
     * @param intentId the intent
     * @param comment comment
     * @return async {@link #approveTask(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> approveTaskAsync(String intentId, String comment) {
        return async(() -> approveTask(intentId, comment));
    }

    /**
     * @param intentId the intent
     * @param comment comment
     * @return async {@link #rejectTask(String, String)}
     */
    public CompletableFuture<IntentWriteResponse> rejectTaskAsync(String intentId, String comment) {
        return async(() -> rejectTask(intentId, comment));
    }

    /**
     * @param intentId the intent
     * @param outcome outcome
     * @param data form data
     * @param comment comment
     * @return async {@link #completeTask(String, String, Map, String)}
     */
    public CompletableFuture<IntentWriteResponse> completeTaskAsync(String intentId, String outcome, Map<String, ?> data,
            String comment) {
        return async(() -> completeTask(intentId, outcome, data, comment));
    }

    /**
     * @param bundle the bundle
     * @return async {@link #applyScenario(ScenarioBundle)}
     */
    public CompletableFuture<ApplyScenarioResponse> applyScenarioAsync(ScenarioBundle bundle) {
        return async(() -> applyScenario(bundle));
    }

    /**
     * @param bundle the bundle
     * @return async {@link #validateScenario(ScenarioBundle)}
     */
    public CompletableFuture<ValidateScenarioResponse> validateScenarioAsync(ScenarioBundle bundle) {
        return async(() -> validateScenario(bundle));
    }

    /**
     * @param request the key
     * @return async {@link #createKey(CreateKeyRequest)}
     */
    public CompletableFuture<KeyCreatedResponse> createKeyAsync(CreateKeyRequest request) {
        return async(() -> createKey(request));
    }

    /** @return async {@link #listKeys()} */
    public CompletableFuture<KeyListResponse> listKeysAsync() {
        return async(this::listKeys);
    }

    /**
     * @param keyId the key
     * @return async {@link #revokeKey(String)}
     */
    public CompletableFuture<Key> revokeKeyAsync(String keyId) {
        return async(() -> revokeKey(keyId));
    }

    /**
     * @param intentId the intent
     * @param timeout the longest to wait
     * @return async {@link #waitFor(String, Duration)}; cancelling it never cancels the intent
     */
    public CompletableFuture<Intent> waitForAsync(String intentId, Duration timeout) {
        return async(() -> waitFor(intentId, timeout));
    }

    /** Stops the client's background threads (async calls in flight are interrupted); no-op on a view. */
    @Override
    public void close() {
        if (ownsResources) {
            resources.close();
        }
    }
}
