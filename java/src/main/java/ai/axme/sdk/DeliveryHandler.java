package ai.axme.sdk;

/**
 * The agent's work for one delivery, run by a {@link Listener}.
 *
 * <p>Return the result object (a {@code Map}, a POJO or a Jackson node; {@code null} means
 * {@code {}}) and the listener resumes the intent with it. Throw an exception to fail the intent
 * with {@code {"code":"agent_error","message":<its message>}}, or {@link AbandonDeliveryException}
 * to leave the lease to expire so the server redelivers.
 */
@FunctionalInterface
public interface DeliveryHandler {
    /**
     * @param delivery the delivery being handled, with helpers to report progress
     * @return the intent's result
     * @throws Exception to fail the intent (see the interface documentation)
     */
    Object handle(DeliveryContext delivery) throws Exception;
}
