package ai.axme.sdk;

import ai.axme.sdk.generated.CreateIntentResponse;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentError;
import ai.axme.sdk.generated.IntentWriteResponse;
import ai.axme.sdk.generated.ResolveIntentRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One intent as seen by the client that submitted it (REQ-CLIENT-010): {@link AxmeClient#submitIntent} returns
 * one, {@link AxmeClient#intent(String)} makes one for an existing intent without a request.
 *
 * <pre>{@code
 * IntentHandle intent = client.submitIntent("intent.demo.v1", "agent://myorg/production/worker", Map.of("n", 1));
 * Intent done = intent.waitFor(Duration.ofMinutes(5));   // or intent.observe()
 * intent.cancel("no longer needed");                       // or complete(result) / fail(error)
 * }</pre>
 *
 * <p>{@code complete} and {@code fail} are the initiator's writes (resolveIntent, REQ-RESOLVE-002); the handling
 * agent resumes instead. The wait is {@code waitFor}, not {@code wait}: {@link Object#wait()} is final and means
 * something else.
 */
public final class IntentHandle {
    /** The error code {@link #fail(IntentError)} sends when the caller gives none (resolveIntent's own default). */
    public static final String DEFAULT_FAILURE_CODE = "failed";

    private final AxmeClient client;
    private final String intentId;
    private final CreateIntentResponse created;

    IntentHandle(AxmeClient client, String intentId, CreateIntentResponse created) {
        if (intentId == null || intentId.isEmpty()) {
            throw new IllegalArgumentException("an intent handle needs an intent id");
        }
        this.client = Objects.requireNonNull(client, "client");
        this.intentId = intentId;
        this.created = created;
    }

    /** @return the intent's id */
    public String intentId() {
        return intentId;
    }

    /** @return the createIntent answer when the handle came from submitIntent, else null */
    public CreateIntentResponse created() {
        return created;
    }

    /** @return the intent as it is now */
    public Intent get() {
        return client.getIntent(intentId);
    }

    /** @return the intent once terminal (no time limit) */
    public Intent waitFor() {
        return client.waitFor(intentId);
    }

    /**
     * @param timeout how long to wait
     * @return the intent once terminal
     * @throws WaitTimeoutException when it is not terminal in time (the intent is left alone)
     */
    public Intent waitFor(Duration timeout) {
        return client.waitFor(intentId, timeout);
    }

    /** @return its events as they happen, ending with the terminal one; close it to stop early */
    public EventStream observe() {
        return client.observe(intentId);
    }

    /**
     * @param since the last seq already seen
     * @return its events with seq greater than {@code since}
     */
    public EventStream observe(long since) {
        return client.observe(intentId, since);
    }

    /** @return the write's outcome: the intent ends COMPLETED with result {} */
    public IntentWriteResponse complete() {
        return complete(Map.of());
    }

    /**
     * @param result the intent's result (null means {})
     * @return the write's outcome: the intent ends COMPLETED with {@code result}
     */
    public IntentWriteResponse complete(Map<String, ?> result) {
        Map<String, Object> given = result == null ? new LinkedHashMap<>() : new LinkedHashMap<>(result);
        return client.resolveIntent(intentId,
                new ResolveIntentRequest().status(ResolveIntentRequest.StatusEnum.COMPLETED).result(given));
    }

    /**
     * @param error code (a missing or empty one is sent as {@code failed}), message, details
     * @return the write's outcome: the intent ends FAILED with {@code error}
     */
    public IntentWriteResponse fail(IntentError error) {
        if (error == null) {
            throw new IllegalArgumentException("fail needs an error ({code, message})");
        }
        String code = error.getCode() == null || error.getCode().isEmpty() ? DEFAULT_FAILURE_CODE : error.getCode();
        IntentError failure = new IntentError().code(code).message(error.getMessage()).details(error.getDetails());
        return client.resolveIntent(intentId,
                new ResolveIntentRequest().status(ResolveIntentRequest.StatusEnum.FAILED).error(failure));
    }

    /**
     * @param message why it failed (code {@code failed})
     * @return the write's outcome: the intent ends FAILED
     */
    public IntentWriteResponse fail(String message) {
        return fail(new IntentError().message(message));
    }

    /** @return the write's outcome: the intent ends CANCELED */
    public IntentWriteResponse cancel() {
        return cancel(null);
    }

    /**
     * @param reason why, recorded on the intent; may be null
     * @return the write's outcome: the intent ends CANCELED
     */
    public IntentWriteResponse cancel(String reason) {
        return client.cancelIntent(intentId, reason);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IntentHandle h && h.intentId.equals(intentId) && h.client == client;
    }

    @Override
    public int hashCode() {
        return intentId.hashCode();
    }

    @Override
    public String toString() {
        return "IntentHandle(" + intentId + ")";
    }
}
