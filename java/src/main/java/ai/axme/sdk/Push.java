package ai.axme.sdk;

import ai.axme.sdk.generated.Delivery;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HTTP-push binding's signature (REQ-PUSH-004/005). {@link #verifyDelivery} is framework-neutral:
 * give it the raw body and a header lookup ({@code request::getHeader} on a servlet request,
 * {@code exchange.getRequestHeaders()::getFirst} on the JDK server).
 */
public final class Push {
    /** REQ-PUSH-005: a timestamp further than this from now is refused. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
    /** REQ-PUSH-005: an id accepted within this window is refused. */
    public static final Duration REPLAY_WINDOW = Duration.ofMinutes(10);

    static final PushSeenDeliveries PROCESS_SEEN = PushSeenDeliveries.inMemory();

    private Push() {}

    /**
     * Verifies a push with the default tolerance and this process's memory of accepted ids.
     *
     * @param rawBody the exact bytes received
     * @param header looks a header up by name, case-insensitively ({@code null} when absent)
     * @param secrets the signing secret (several during a rotation)
     * @return the delivery
     * @throws SignatureException when the push must be refused (answer 401)
     */
    public static Delivery verifyDelivery(byte[] rawBody, Function<String, String> header, String... secrets) {
        return PushVerifier.of(secrets).verify(rawBody, header);
    }

    /**
     * @param body the body to sign
     * @param secret the signing secret
     * @param timestamp unix seconds
     * @return the {@code X-Axme-Signature} value (e.g. to test a receiver)
     */
    public static String signDelivery(byte[] body, String secret, long timestamp) {
        return "t=" + timestamp + ",v1=" + signature(secret, timestamp, body);
    }

    static String signature(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException impossible) {
            throw new IllegalStateException("HmacSHA256 unavailable", impossible);
        }
    }

    /** The parsed {@code X-Axme-Signature}: {@code t} and every {@code v1} entry. */
    record SignatureHeader(long timestamp, List<String> signatures) {
        static SignatureHeader parse(String value) {
            if (value == null || value.isEmpty()) {
                throw new SignatureException("missing_signature", "no X-Axme-Signature header");
            }
            long timestamp = -1;
            List<String> signatures = new java.util.ArrayList<>();
            for (String entry : value.split(",", -1)) {
                String trimmed = entry.strip();
                int eq = trimmed.indexOf('=');
                String key = eq < 0 ? trimmed : trimmed.substring(0, eq);
                String item = eq < 0 ? "" : trimmed.substring(eq + 1);
                if (key.equals("t")) {
                    if (!item.matches("[0-9]{1,18}")) {
                        throw new SignatureException("malformed_signature", "the t entry is not unix seconds");
                    }
                    timestamp = Long.parseLong(item);
                } else if (key.equals("v1")) {
                    signatures.add(item);
                }
            }
            if (timestamp < 0 || signatures.isEmpty()) {
                throw new SignatureException("malformed_signature", "X-Axme-Signature needs t= and v1=");
            }
            return new SignatureHeader(timestamp, signatures);
        }
    }
}
