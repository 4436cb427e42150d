package ai.axme.sdk;

/** The request never produced an HTTP response: DNS, refused or reset connection, TLS, I/O. */
public class AxmeConnectionException extends AxmeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong
     * @param cause the underlying I/O failure
     */
    public AxmeConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
