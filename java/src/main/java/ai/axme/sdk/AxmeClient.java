package ai.axme.sdk;

import ai.axme.sdk.generated.CreateIntentRequest;
import ai.axme.sdk.generated.CreateIntentResponse;
import ai.axme.sdk.generated.Intent;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The AXME client: every AXP operation as a blocking call (the same calls returning a
 * {@link java.util.concurrent.CompletableFuture} are on {@link #async()}), live
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
 * is thrown and nothing is retried); cancelling a future of {@link #async()} does the same.
 */
public final class AxmeClient extends AxmeOperations implements AutoCloseable {
    private final ClientResources resources;
    private final boolean ownsResources;

    AxmeClient(ClientResources resources, RequestOptions options, boolean ownsResources) {
        super(new RawAxmeClient(resources, options), new AgentWrites(new RawAxmeClient(resources, RequestOptions.NONE)));
        this.resources = resources;
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

    // --- submitting -----------------------------------------------------------------------

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
        Listener listener = newListener(address, handler, options);
        listener.start();
        return listener;
    }

    private Listener newListener(String address, DeliveryHandler handler, ListenOptions options) {
        Transport core = resources.core();
        return new Listener(address, options,
                sink -> new DeliveryFeed(core, resources.watchdog(), raw, address, sink), deliveryProcessor(handler));
    }

    /** How long {@link #runAgent(String, DeliveryHandler)} lets the delivery in hand finish after a stop. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /**
     * Serves the agent as {@link #listen(String, DeliveryHandler)} does until the process gets SIGINT or
     * SIGTERM or the calling thread is interrupted (REQ-LISTEN-007); then takes no further delivery and
     * lets the handler in hand finish and send its result for up to 10 s. See
     * {@link #runAgent(String, DeliveryHandler, ListenOptions, Duration)}.
     *
     * @param address the agent address (its key must be this client's)
     * @param handler the agent's work
     * @return how many deliveries were handled
     */
    public long runAgent(String address, DeliveryHandler handler) {
        return runAgent(address, handler, ListenOptions.defaults(), DEFAULT_GRACE);
    }

    /**
     * Like {@link #runAgent(String, DeliveryHandler)}, with options and the shutdown grace. After the grace
     * the handler is interrupted and its delivery abandoned without a write, as a crash would leave it (the
     * lease expires and the server redelivers it). The signal handlers are removed before it returns; a
     * stop is not an error, so it returns normally (and {@code main} can end with status 0). An interrupt
     * of the calling thread stays set on return.
     *
     * @param address the agent address
     * @param handler the agent's work
     * @param options listener options (a delivery limit also ends it)
     * @param grace how long the delivery in hand may finish after a stop ({@link Duration#ZERO}: not at all)
     * @return how many deliveries were handled
     * @throws AxmeException what ended the listener when it was not a stop (401, 403, unknown agent…)
     */
    public long runAgent(String address, DeliveryHandler handler, ListenOptions options, Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        return AgentRunner.run(newListener(address, handler, options), grace, resources.scheduler());
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

    // --- the asynchronous face -------------------------------------------------------------

    /**
     * @return the same operations, each returning a {@link CompletableFuture}; shares this client's
     *     connections, threads and options
     */
    public AxmeAsyncClient async() {
        return new AxmeAsyncClient(this, resources.async());
    }

    /** Stops the client's background threads (async calls in flight are interrupted); no-op on a view. */
    @Override
    public void close() {
        if (ownsResources) {
            resources.close();
        }
    }
}
