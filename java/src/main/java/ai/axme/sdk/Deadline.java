package ai.axme.sdk;

import java.time.Duration;

/** A point in (monotonic) time after which waiting stops; unbounded when no timeout was given. */
final class Deadline {
    private final Duration timeout;
    private final long endNanos;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.endNanos = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    }

    static Deadline none() {
        return new Deadline(null);
    }

    static Deadline after(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        return new Deadline(timeout);
    }

    boolean isBounded() {
        return timeout != null;
    }

    Duration timeout() {
        return timeout;
    }

    Duration remaining() {
        return timeout == null ? Duration.ofMillis(Long.MAX_VALUE) : Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
    }

    boolean expired() {
        return timeout != null && System.nanoTime() - endNanos >= 0;
    }

    /** The delay, shortened so that a sleep never outlasts the deadline. */
    Duration clamp(Duration delay) {
        Duration left = remaining();
        return delay.compareTo(left) > 0 ? left : delay;
    }
}
