package ai.axme.sdk;

/** An attempt exceeded the per-request timeout (connect or response). */
public class AxmeTimeoutException extends AxmeConnectionException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what timed out
     * @param cause the underlying timeout
     */
    public AxmeTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
