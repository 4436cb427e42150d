package ai.axme.sdk;

import ai.axme.sdk.generated.Delivery;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Verifies pushed deliveries (REQ-PUSH-005): constant-time compare, any {@code v1=} may match any
 * secret, a timestamp window, and a delivery id already accepted is refused. Immutable; the
 * {@code with…} methods return copies.
 */
public final class PushVerifier {
    private static final ObjectMapper MAPPER = Json.newMapper();

    private final List<String> secrets;
    private final Duration tolerance;
    private final PushSeenDeliveries seen;
    private final Clock clock;

    private PushVerifier(List<String> secrets, Duration tolerance, PushSeenDeliveries seen, Clock clock) {
        this.secrets = List.copyOf(secrets);
        this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
        this.seen = Objects.requireNonNull(seen, "seen");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param secrets the signing secret (several during a rotation)
     * @return a verifier with the default tolerance and this process's memory of accepted ids
     */
    public static PushVerifier of(String... secrets) {
        if (secrets.length == 0) {
            throw new IllegalArgumentException("a push verifier needs at least one secret");
        }
        return new PushVerifier(List.of(secrets), Push.DEFAULT_TOLERANCE, Push.PROCESS_SEEN, Clock.systemUTC());
    }

    /** @param tolerance how far {@code t} may be from now @return a copy with it */
    public PushVerifier withTolerance(Duration tolerance) {
        return new PushVerifier(secrets, tolerance, seen, clock);
    }

    /** @param seen where accepted ids are remembered @return a copy with it */
    public PushVerifier withSeen(PushSeenDeliveries seen) {
        return new PushVerifier(secrets, tolerance, seen, clock);
    }

    /** @param clock what "now" is @return a copy with it */
    public PushVerifier withClock(Clock clock) {
        return new PushVerifier(secrets, tolerance, seen, clock);
    }

    PushSeenDeliveries seen() {
        return seen;
    }

    /**
     * @param rawBody the exact bytes received
     * @param header looks a header up by name, case-insensitively ({@code null} when absent)
     * @return the delivery as the generated model
     * @throws SignatureException when the push must be refused (answer 401)
     */
    public Delivery verify(byte[] rawBody, Function<String, String> header) {
        return typed(verifyJson(rawBody, header));
    }

    private static Delivery typed(JsonNode delivery) {
        try {
            return MAPPER.convertValue(delivery, Delivery.class);
        } catch (IllegalArgumentException notADelivery) {
            throw new SignatureException("malformed_body", "the signed body is not a Delivery");
        }
    }

    /** The delivery exactly as sent, for the receiver (which hands it to the handler as JSON). */
    JsonNode verifyJson(byte[] rawBody, Function<String, String> header) {
        Push.SignatureHeader parsed = Push.SignatureHeader.parse(header.apply("X-Axme-Signature"));
        long skew = Math.abs(clock.instant().getEpochSecond() - parsed.timestamp());
        if (skew > tolerance.toSeconds()) {
            throw new SignatureException("stale_timestamp",
                    "timestamp " + parsed.timestamp() + " is outside ±" + tolerance.toSeconds() + " s");
        }
        if (!anyMatches(parsed, rawBody)) {
            throw new SignatureException("signature_mismatch", "no v1 signature matches the secret");
        }
        String deliveryId = header.apply("X-Axme-Delivery-Id");
        if (deliveryId == null || deliveryId.isEmpty()) {
            throw new SignatureException("missing_delivery_id", "no X-Axme-Delivery-Id header");
        }
        JsonNode delivery = parseDelivery(rawBody);
        if (!delivery.path("delivery_id").asText().equals(deliveryId)) {
            throw new SignatureException("delivery_id_mismatch", "X-Axme-Delivery-Id differs from the body");
        }
        if (!seen.add(deliveryId)) {
            throw new SignatureException("replayed_delivery", "delivery " + deliveryId + " was already accepted");
        }
        return delivery;
    }

    private boolean anyMatches(Push.SignatureHeader parsed, byte[] body) {
        boolean matched = false;
        for (String secret : secrets) {
            byte[] expected = Push.signature(secret, parsed.timestamp(), body).getBytes(StandardCharsets.US_ASCII);
            for (String given : parsed.signatures()) {
                matched |= MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)); // constant time
            }
        }
        return matched;
    }

    private static JsonNode parseDelivery(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException notJson) {
            node = null;
        }
        if (node == null || !node.isObject() || !node.path("delivery_id").isTextual()
                || !node.path("intent_id").isTextual()) {
            throw new SignatureException("malformed_body", "the signed body is not a Delivery");
        }
        typed(node); // checked before the id is remembered
        return node;
    }
}
