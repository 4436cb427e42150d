package ai.axme.sdk;

/**
 * A pushed delivery failed verification (REQ-PUSH-005); a receiver answers 401. {@link #reason()} is
 * one of {@code missing_signature}, {@code malformed_signature}, {@code stale_timestamp},
 * {@code signature_mismatch}, {@code missing_delivery_id}, {@code malformed_body},
 * {@code delivery_id_mismatch}, {@code replayed_delivery} (the same codes in every SDK).
 */
public class SignatureException extends AxmeException {
    private static final long serialVersionUID = 1L;

    private final String reason;

    /**
     * @param reason the rejection code
     * @param message what was wrong
     */
    public SignatureException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** @return the rejection code, the same in every SDK */
    public String reason() {
        return reason;
    }
}
