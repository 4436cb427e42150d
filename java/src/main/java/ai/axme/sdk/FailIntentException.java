package ai.axme.sdk;

import java.util.Map;

/** Thrown by a {@link DeliveryHandler} to fail the intent with this error code, message and details. */
public class FailIntentException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;
    private final transient Map<String, Object> details;

    /**
     * @param code machine-readable error code recorded on the intent
     * @param message human-readable message recorded on the intent
     * @param details extra error details, may be null
     */
    public FailIntentException(String code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.details = details == null ? null : Map.copyOf(details);
    }

    /**
     * @param code machine-readable error code recorded on the intent
     * @param message human-readable message recorded on the intent
     */
    public FailIntentException(String code, String message) {
        this(code, message, null);
    }

    /** @return the error code */
    public String code() {
        return code;
    }

    /** @return the error details, or null */
    public Map<String, Object> details() {
        return details;
    }
}
