package ai.axme.sdk;

import java.util.Set;

/** The spec's terminal statuses: an intent in one of them never changes again. */
final class Terminal {
    static final Set<String> STATUSES = Set.of("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT");

    private Terminal() {
    }

    static boolean isTerminal(String status) {
        return status != null && STATUSES.contains(status);
    }
}
