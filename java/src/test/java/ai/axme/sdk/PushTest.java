package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.Delivery;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** verifyDelivery against conformance/vectors/push-signature.json, plus replay, tolerance and rotation. */
class PushTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SECRET = "whsec_test_0123456789abcdef";
    private static final byte[] BODY =
            "{\"delivery_id\":\"dlv_a\",\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\"}".getBytes(StandardCharsets.UTF_8);
    private static final long T = 1_795_255_200L;

    static JsonNode vectors() throws IOException {
        return MAPPER.readTree(Files.readString(TestPaths.repoRoot().resolve("conformance/vectors/push-signature.json")));
    }

    static Stream<Arguments> signatures() throws IOException {
        List<Arguments> out = new ArrayList<>();
        vectors().path("signatures").forEach(v -> out.add(Arguments.of(v.path("name").asText(), v)));
        return out.stream();
    }

    static Stream<Arguments> verifications() throws IOException {
        List<Arguments> out = new ArrayList<>();
        vectors().path("verifications").forEach(v -> out.add(Arguments.of(v.path("name").asText(), v)));
        assertTrue(out.size() >= 20, "push vectors loaded");
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("signatures")
    void signatureVector(String name, JsonNode v) {
        String header = Push.signDelivery(v.path("body").asText().getBytes(StandardCharsets.UTF_8),
                v.path("secret").asText(), v.path("timestamp").asLong());
        assertEquals("t=" + v.path("timestamp").asLong() + ",v1=" + v.path("signature").asText(), header);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verifications")
    void verificationVector(String name, JsonNode v) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        v.path("headers").fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().asText()));
        PushSeenDeliveries seen = PushSeenDeliveries.inMemory();
        v.path("seen").forEach(id -> seen.add(id.asText()));
        List<String> secrets = new ArrayList<>();
        v.path("secrets").forEach(s -> secrets.add(s.asText()));
        PushVerifier verifier = PushVerifier.of(secrets.toArray(String[]::new))
                .withTolerance(Duration.ofSeconds(v.path("tolerance_s").asLong()))
                .withSeen(seen)
                .withClock(Clock.fixed(Instant.ofEpochSecond(v.path("now").asLong()), ZoneOffset.UTC));
        byte[] body = v.path("body").asText().getBytes(StandardCharsets.UTF_8);
        JsonNode expect = v.path("expect");
        if (expect.path("ok").asBoolean()) {
            Delivery delivery = verifier.verify(body, headers::get);
            assertEquals(expect.path("delivery_id").asText(), delivery.getDeliveryId());
            assertEquals(expect.path("intent_id").asText(), delivery.getIntentId().toString());
            if (expect.has("attempt")) {
                assertEquals(expect.path("attempt").asInt(), delivery.getAttempt());
            }
        } else {
            SignatureException rejected = assertThrows(SignatureException.class, () -> verifier.verify(body, headers::get));
            assertEquals(expect.path("reason").asText(), rejected.reason());
        }
    }

    private static Function<String, String> headers(byte[] body, String secret, long t) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("X-Axme-Signature", Push.signDelivery(body, secret, t));
        headers.put("X-Axme-Delivery-Id", "dlv_a");
        return headers::get;
    }

    private static PushVerifier at(long now) {
        return PushVerifier.of(SECRET).withSeen(PushSeenDeliveries.inMemory())
                .withClock(Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC));
    }

    @Test
    void replayRefusedEvenWithFreshTimestamp() {
        PushVerifier verifier = at(T);
        verifier.verify(BODY, headers(BODY, SECRET, T));
        SignatureException replay = assertThrows(SignatureException.class,
                () -> verifier.verify(BODY, headers(BODY, SECRET, T + 3)));
        assertEquals("replayed_delivery", replay.reason());
    }

    @Test
    void rejectedPushDoesNotUseUpTheId() {
        PushVerifier verifier = at(T);
        assertThrows(SignatureException.class, () -> verifier.verify(BODY, headers(BODY, "whsec_wrong", T)));
        assertEquals("dlv_a", verifier.verify(BODY, headers(BODY, SECRET, T)).getDeliveryId());
    }

    @Test
    void seenIdsExpireAfterTheWindow() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.EPOCH);
        Clock clock = new Clock() {
            @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return now.get(); }
        };
        PushSeenDeliveries.InMemory seen = (PushSeenDeliveries.InMemory) PushSeenDeliveries.inMemory(Push.REPLAY_WINDOW, clock);
        assertTrue(seen.add("dlv_a"));
        now.set(Instant.EPOCH.plus(Push.REPLAY_WINDOW).minusSeconds(1));
        assertFalse(seen.add("dlv_a"));
        now.set(Instant.EPOCH.plus(Push.REPLAY_WINDOW));
        assertTrue(seen.add("dlv_a"));
        assertEquals(1, seen.size());
    }

    @Test
    void toleranceBothWays() {
        long[][] cases = {{0, 300, 1}, {300, 300, 1}, {-300, 300, 1}, {301, 300, 0}, {10, 10, 1}, {11, 10, 0}};
        for (long[] c : cases) {
            PushVerifier verifier = at(T + c[0]).withTolerance(Duration.ofSeconds(c[1]));
            if (c[2] == 1) {
                verifier.verify(BODY, headers(BODY, SECRET, T));
            } else {
                assertEquals("stale_timestamp", assertThrows(SignatureException.class,
                        () -> verifier.verify(BODY, headers(BODY, SECRET, T))).reason());
            }
        }
    }

    @Test
    void eitherSecretOfARotation() {
        String both = Push.signDelivery(BODY, "whsec_old", T) + ",v1="
                + Push.signDelivery(BODY, "whsec_new", T).split("v1=")[1];
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("x-axme-signature", both);
        h.put("x-axme-delivery-id", "dlv_a");
        for (String[] secrets : new String[][] {{"whsec_old"}, {"whsec_new"}, {"whsec_new", "whsec_old"}}) {
            PushVerifier.of(secrets).withSeen(PushSeenDeliveries.inMemory())
                    .withClock(Clock.fixed(Instant.ofEpochSecond(T), ZoneOffset.UTC)).verify(BODY, h::get);
        }
    }

    @Test
    void staticVerifyUsesTheProcessWideSeenSet() {
        byte[] body = "{\"delivery_id\":\"dlv_java_process\",\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("X-Axme-Signature", Push.signDelivery(body, SECRET, Instant.now().getEpochSecond()));
        h.put("X-Axme-Delivery-Id", "dlv_java_process");
        Push.verifyDelivery(body, h::get, SECRET);
        assertThrows(SignatureException.class, () -> Push.verifyDelivery(body, h::get, SECRET));
        assertTrue(AxmeException.class.isAssignableFrom(SignatureException.class));
        byte[] notUuid = "{\"delivery_id\":\"dlv_j2\",\"intent_id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        h.put("X-Axme-Signature", Push.signDelivery(notUuid, SECRET, Instant.now().getEpochSecond()));
        h.put("X-Axme-Delivery-Id", "dlv_j2");
        assertEquals("malformed_body", assertThrows(SignatureException.class,
                () -> Push.verifyDelivery(notUuid, h::get, SECRET)).reason());
    }

    @Test
    void receiverAnswersWithoutTheServer() throws Exception {
        com.sun.net.httpserver.HttpServer http =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        try (AxmeClient client = AxmeClient.builder().apiKey("axme_admin_unit").baseUrl("http://127.0.0.1:9").build()) {
            PushReceiver receiver = client.pushReceiver(delivery -> {
                throw new AssertionError("the handler must not run");
            }, PushVerifier.of(SECRET));
            http.createContext("/", receiver);
            http.start();
            java.net.URI url = java.net.URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
            java.net.http.HttpClient web = java.net.http.HttpClient.newHttpClient();
            long now = Instant.now().getEpochSecond();
            Function<java.net.http.HttpRequest.Builder, String> send = request -> {
                try {
                    java.net.http.HttpResponse<String> answer =
                            web.send(request.uri(url).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                    return answer.statusCode() + " " + MAPPER.readTree(answer.body()).path("error").asText();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            assertEquals("405 method_not_allowed", send.apply(java.net.http.HttpRequest.newBuilder().GET()));
            assertEquals("413 body_too_large", send.apply(java.net.http.HttpRequest.newBuilder()
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[8 * 1024 * 1024 + 1]))));
            assertEquals("401 missing_signature", send.apply(java.net.http.HttpRequest.newBuilder()
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(BODY))));
            assertEquals("401 stale_timestamp", send.apply(java.net.http.HttpRequest.newBuilder()
                    .header("X-Axme-Signature", Push.signDelivery(BODY, SECRET, now - 301)).header("X-Axme-Delivery-Id", "dlv_a")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(BODY))));
            assertEquals("401 signature_mismatch", send.apply(java.net.http.HttpRequest.newBuilder()
                    .header("X-Axme-Signature", Push.signDelivery(BODY, "whsec_other", now)).header("X-Axme-Delivery-Id", "dlv_a")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(BODY))));
            receiver.close();
            assertEquals("503 shutting_down", send.apply(java.net.http.HttpRequest.newBuilder()
                    .header("X-Axme-Signature", Push.signDelivery(BODY, SECRET, now)).header("X-Axme-Delivery-Id", "dlv_a")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(BODY))));
        } finally {
            http.stop(0);
        }
    }
}
