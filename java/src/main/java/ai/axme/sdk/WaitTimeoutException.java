package ai.axme.sdk;

import java.time.Duration;

/** {@code waitFor} reached its own timeout before the intent became terminal. The intent is untouched. */
public class WaitTimeoutException extends AxmeException {
    private static final long serialVersionUID = 1L;
    private final String intentId;
    private final transient Duration timeout;
    private final String lastStatus;

    /**
     * @param intentId the intent that was awaited
     * @param timeout the timeout that elapsed
     * @param lastStatus the last status seen, or null
     */
    public WaitTimeoutException(String intentId, Duration timeout, String lastStatus) {
        super("intent " + intentId + " did not reach a terminal status within " + timeout
                + (lastStatus == null ? "" : " (last status " + lastStatus + ")"));
        this.intentId = intentId;
        this.timeout = timeout;
        this.lastStatus = lastStatus;
    }

    /** @return the last status seen before the timeout, or null */
    public String lastStatus() {
        return lastStatus;
    }

    /** @return the intent that was awaited */
    public String intentId() {
        return intentId;
    }

    /** @return the timeout that elapsed */
    public Duration timeout() {
        return timeout;
    }
}
