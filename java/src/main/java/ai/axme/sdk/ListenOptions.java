package ai.axme.sdk;

/**
 * Optional settings for {@link AxmeClient#listen(String, DeliveryHandler, ListenOptions)}.
 *
 * @param maxDeliveries stop after handling this many deliveries (0 = run until closed)
 */
public record ListenOptions(long maxDeliveries) {
    /** Validates the options. */
    public ListenOptions {
        if (maxDeliveries < 0) {
            throw new IllegalArgumentException("maxDeliveries must be >= 0, got " + maxDeliveries);
        }
    }

    /** @return options that run until the listener is closed */
    public static ListenOptions defaults() {
        return new ListenOptions(0);
    }

    /**
     * @param maxDeliveries how many deliveries to handle before stopping
     * @return options that stop after that many deliveries
     */
    public static ListenOptions maxDeliveries(long maxDeliveries) {
        return new ListenOptions(maxDeliveries);
    }
}
