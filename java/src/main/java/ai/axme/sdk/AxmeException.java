package ai.axme.sdk;

/** Base of every exception the AXME SDK throws. Unchecked, like the JDK's own HTTP client errors. */
public class AxmeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     * @param cause the underlying failure, or {@code null}
     */
    public AxmeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** @param message what went wrong */
    public AxmeException(String message) {
        super(message);
    }
}
