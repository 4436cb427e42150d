package ai.axme.sdk;

/**
 * Per-call settings, applied by {@link AxmeClient#withOptions(RequestOptions)}.
 *
 * @param traceId sent as {@code X-Trace-Id} on every attempt (null: a fresh UUID per call)
 * @param idempotencyKey sent as {@code Idempotency-Key} on POSTs (null: a fresh UUID per call);
 *     reusing it makes a repeated POST return the original response
 */
public record RequestOptions(String traceId, String idempotencyKey) {
    /** No per-call settings. */
    public static final RequestOptions NONE = new RequestOptions(null, null);

    /**
     * @param traceId the trace id
     * @return these options with that trace id
     */
    public RequestOptions withTraceId(String traceId) {
        return new RequestOptions(traceId, idempotencyKey);
    }

    /**
     * @param idempotencyKey the key
     * @return these options with that idempotency key
     */
    public RequestOptions withIdempotencyKey(String idempotencyKey) {
        return new RequestOptions(traceId, idempotencyKey);
    }
}
