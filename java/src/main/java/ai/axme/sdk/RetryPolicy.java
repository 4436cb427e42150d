package ai.axme.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When to retry and how long to wait: exponential backoff {@code base × 2ⁿ} capped at 8 s with
 * jitter, {@code Retry-After} honoured up to 60 s (above that the error is raised instead).
 */
final class RetryPolicy {
    static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(500);
    static final Duration MAX_DELAY = Duration.ofSeconds(8);
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final int maxRetries;
    private final Duration baseDelay;
    private final DoubleSupplier random;

    RetryPolicy(int maxRetries, Duration baseDelay) {
        this(maxRetries, baseDelay, () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryPolicy(int maxRetries, Duration baseDelay, DoubleSupplier random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        if (baseDelay.isNegative()) {
            throw new IllegalArgumentException("retry base delay must not be negative");
        }
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
        this.random = random;
    }

    int maxRetries() {
        return maxRetries;
    }

    Duration baseDelay() {
        return baseDelay;
    }

    /** Statuses worth another attempt (REQ-RETRY-002): request timeout, rate limit, transient server errors. */
    static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
    }

    /**
     * Backoff before retry number {@code retryIndex + 1}: the capped exponential delay scaled by a
     * random factor in [0.5, 1.0) so that clients that failed together do not retry together.
     */
    Duration backoff(int retryIndex) {
        long capped = Math.min(MAX_DELAY.toMillis(), baseDelay.toMillis() << Math.min(retryIndex, 20));
        double factor = 0.5 + 0.5 * random.getAsDouble();
        return Duration.ofMillis(Math.round(capped * factor));
    }

    /**
     * @return the wait before the next attempt, or null when the server asked for more than
     *     {@link #MAX_RETRY_AFTER} (the caller then raises the error instead of sleeping)
     */
    Duration delayBeforeRetry(int retryIndex, Duration retryAfter) {
        if (retryAfter == null) {
            return backoff(retryIndex);
        }
        return retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? null : retryAfter;
    }
}
