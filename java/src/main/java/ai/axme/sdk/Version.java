package ai.axme.sdk;

/** The SDK's version and the client identification headers built from it. */
final class Version {
    static final String SDK_VERSION = "0.1.0";
    static final String USER_AGENT = "axme-java/" + SDK_VERSION;
    static final String CLIENT_HEADER = USER_AGENT;

    private Version() {
    }
}
