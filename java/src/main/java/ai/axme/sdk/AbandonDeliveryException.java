package ai.axme.sdk;

/**
 * Thrown by a {@link DeliveryHandler} that cannot finish this delivery and wants the server to
 * redeliver it later: the listener neither resumes nor fails the intent and stops renewing the
 * lease. This is what a crash looks like to the server, made deliberate.
 */
public class AbandonDeliveryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param reason why the delivery is abandoned (logged) */
    public AbandonDeliveryException(String reason) {
        super(reason);
    }
}
