package ai.axme.conformance;

/** The SDK refused a new_client config (build() threw): protocol error type Configuration. */
final class ConfigurationRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConfigurationRefused(String message) {
        super(message);
    }
}
