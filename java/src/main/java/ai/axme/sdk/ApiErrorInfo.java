package ai.axme.sdk;

import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the server said about a failed request: the AXP error envelope plus the
 * response metadata that matters for support and retries.
 *
 * @param status HTTP status code
 * @param code stable machine-readable error code ({@code intent_not_found}, {@code rate_limited}, …)
 * @param category error category ({@code validation}, {@code auth}, {@code conflict}, …), may be null
 * @param retryable whether the server marked the error retryable
 * @param message human-readable message
 * @param requestId the {@code X-Request-Id} response header, may be null
 * @param traceId the {@code X-Trace-Id} sent with the request
 * @param retryAfter the parsed {@code Retry-After} header, or null
 * @param body the raw response body
 */
public record ApiErrorInfo(
        int status,
        String code,
        String category,
        boolean retryable,
        String message,
        String requestId,
        String traceId,
        Duration retryAfter,
        String body) implements Serializable {

    /** @return {@link #retryAfter()} as an Optional */
    public Optional<Duration> retryAfterHint() {
        return Optional.ofNullable(retryAfter);
    }
}
