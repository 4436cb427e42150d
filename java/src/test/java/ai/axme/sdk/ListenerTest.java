package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** listen(): ack first, renew by re-ack while the handler runs, outcomes, stale deliveries, fatal errors. */
class ListenerTest {
    private static final String INTENT = "6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10";
    private StubServer stub;
    private AxmeClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        client = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("k").retryBaseDelay(Duration.ofMillis(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    private static String delivery(String deliveryId, Instant leaseExpires) {
        return "id: 1\nevent: intent.delivery\ndata: {\"delivery_id\":\"" + deliveryId + "\",\"intent_id\":\"" + INTENT
                + "\",\"attempt\":1,\"lease_expires_at\":\"" + leaseExpires + "\",\"status\":\"DELIVERED\","
                + "\"intent\":{\"intent_id\":\"" + INTENT + "\",\"payload\":{\"n\":7}}}\n\n";
    }

    /** Routes by path: the agent stream gets one delivery, writes answer 200. */
    private void serve(String deliveryFrames, int ackStatus) {
        stub.otherwise(exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/intents/stream")) {
                StubServer.sse(exchange, deliveryFrames);
                StubServer.pause(50);
            } else if (path.endsWith("/ack")) {
                String body = ackStatus == 200
                        ? "{\"ok\":true,\"intent\":{},\"lease_expires_at\":\"" + Instant.now().plusMillis(1500) + "\"}"
                        : "{\"ok\":false,\"error\":{\"code\":\"stale_delivery\",\"message\":\"stale\"}}";
                StubServer.send(exchange, ackStatus, body, Map.of());
            } else {
                StubServer.send(exchange, 200, "{\"ok\":true,\"applied\":true,\"intent\":{}}", Map.of());
            }
        });
    }

    private List<StubServer.Seen> writes(String suffix) {
        return stub.requests().stream().filter(r -> r.method().equals("POST") && r.pathAndQuery().endsWith(suffix))
                .collect(Collectors.toList());
    }

    private boolean waitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            StubServer.pause(10);
        }
        return true;
    }

    @Test
    void acksFirstRenewsWithReAcksThenResumesWithTheResult() throws Exception {
        serve(delivery("d-1", Instant.now().plusMillis(1500)), 200);
        try (Listener listener = client.listen("worker", delivery -> {
            assertEquals(1, writes("/ack").size(), "acked before the handler runs");
            // hold the delivery until the lease was renewed twice (renewal every third of the lease)
            assertTrue(waitUntil(() -> writes("/ack").size() >= 3), "lease renewed while handling");
            return Map.of("double", ((Number) delivery.payload().get("n")).intValue() * 2);
        }, ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(15)));
            assertFalse(listener.failure().isPresent());
        }
        List<StubServer.Seen> resumes = writes("/resume");
        assertEquals(1, resumes.size(), "renewals are re-acks, not progress events");
        JsonNode body = new ObjectMapper().readTree(resumes.get(0).body());
        assertEquals("agent_result", body.path("kind").asText());
        assertEquals("complete", body.path("outcome").asText());
        assertEquals(14, body.path("result").path("double").asInt());
        assertEquals("d-1", body.path("delivery_id").asText());
        writes("/ack").forEach(ack -> assertTrue(ack.body().contains("\"d-1\"")));
    }

    @Test
    void aThrowingHandlerFailsTheIntentWithAgentError() throws Exception {
        serve(delivery("d-2", Instant.now().plusSeconds(60)), 200);
        try (Listener listener = client.listen("worker", delivery -> {
            throw new IllegalStateException("cannot parse the plan");
        }, ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
        }
        JsonNode body = new ObjectMapper().readTree(writes("/resume").get(0).body());
        assertEquals("fail", body.path("outcome").asText());
        assertEquals("agent_error", body.path("error").path("code").asText());
        assertEquals("cannot parse the plan", body.path("error").path("message").asText());
    }

    @Test
    void anAbandonedDeliveryIsNeitherResumedNorFailed() throws Exception {
        serve(delivery("d-3", Instant.now().plusSeconds(60)), 200);
        try (Listener listener = client.listen("worker", delivery -> {
            throw new AbandonDeliveryException("shutting down");
        }, ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
        }
        assertEquals(0, writes("/resume").size());
    }

    @Test
    void aStaleDeliveryIsSkippedWithoutCallingTheHandler() throws Exception {
        serve(delivery("d-4", Instant.now().plusSeconds(60)), 409);
        try (Listener listener = client.listen("worker", delivery -> {
            throw new AssertionError("the handler must not see a stale delivery");
        })) {
            assertTrue(waitUntil(() -> writes("/ack").size() >= 1));
            StubServer.pause(100); // the handler would run right after the ack; it must not
            assertEquals(0, listener.deliveriesHandled());
            assertTrue(listener.isRunning(), "a stale delivery does not stop the listener");
        }
        assertEquals(0, writes("/resume").size());
    }

    @Test
    void authenticationErrorsStopTheListener() throws Exception {
        stub.otherwise(exchange -> StubServer.send(exchange, 401,
                "{\"ok\":false,\"error\":{\"code\":\"unauthorized\",\"message\":\"bad key\"}}", Map.of()));
        try (Listener listener = client.listen("worker", delivery -> null)) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
            assertInstanceOf(AuthenticationException.class, listener.failure().orElseThrow());
        }
    }

    @Test
    void serverErrorsAreSurvived() throws Exception {
        for (int i = 0; i < 3; i++) {
            stub.thenJson(503, "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}");
        }
        serve(delivery("d-5", Instant.now().plusSeconds(60)), 200);
        try (Listener listener = client.listen("worker", delivery -> Map.of(), ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
            assertFalse(listener.failure().isPresent());
        }
        assertEquals(1, writes("/resume").size());
    }

    @Test
    void longPollsOnlyWhenTheDeliveryStreamIsMissing() throws Exception {
        String deliveryJson = delivery("d-6", Instant.now().plusSeconds(60)).split("data: ")[1].trim();
        stub.otherwise(exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.endsWith("/intents/stream")) {
                StubServer.send(exchange, 404, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}", Map.of());
            } else if (path.endsWith("/intents")) {
                StubServer.send(exchange, 200, "{\"ok\":true,\"deliveries\":[" + deliveryJson + "]}", Map.of());
            } else {
                StubServer.send(exchange, 200, "{\"ok\":true,\"applied\":true,\"intent\":{},\"lease_expires_at\":null}", Map.of());
            }
        });
        try (Listener listener = client.listen("worker", delivery -> Map.of("polled", true), ListenOptions.maxDeliveries(1))) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
        }
        assertTrue(stub.requests().stream().anyMatch(r -> r.pathAndQuery().contains("/intents?status=pending&wait_seconds=")));
        assertEquals(1, writes("/resume").size());
    }

    @Test
    void anUnknownAgentStopsTheListenerInsteadOfPolling() throws Exception {
        stub.otherwise(exchange -> StubServer.send(exchange, 404,
                "{\"ok\":false,\"error\":{\"code\":\"agent_not_found\",\"message\":\"no agent\"}}", Map.of()));
        try (Listener listener = client.listen("nobody", delivery -> null)) {
            assertTrue(listener.awaitTermination(Duration.ofSeconds(10)));
            assertInstanceOf(NotFoundException.class, listener.failure().orElseThrow());
        }
        assertEquals(1, stub.requests().size());
    }

    @Test
    void renewalIntervalIsAThirdOfTheRemainingLease() {
        Instant now = Instant.parse("2026-11-21T10:00:00Z");
        assertEquals(Duration.ofSeconds(20), DeliveryProcessor.renewalInterval("2026-11-21T10:01:00.000Z", now));
        assertEquals(DeliveryProcessor.MIN_RENEW, DeliveryProcessor.renewalInterval("2026-11-21T10:00:00.300Z", now));
        assertEquals(DeliveryProcessor.DEFAULT_RENEW, DeliveryProcessor.renewalInterval(null, now));
        assertEquals(DeliveryProcessor.DEFAULT_RENEW, DeliveryProcessor.renewalInterval("soon", now));
    }
}
