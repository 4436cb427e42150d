package ai.axme.sdk;

/** An event stream delivered something that is not valid AXP (for example a frame whose data is not JSON). */
public class StreamException extends AxmeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong with the stream
     * @param cause the parse failure, or {@code null}
     */
    public StreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
