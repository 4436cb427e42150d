package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Retries, Retry-After, idempotency keys, headers, error mapping and cancellation against a stub. */
class TransportTest {
    private static final String OK_INTENT = "{\"ok\":true,\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\",\"created_at\":\"2026-11-21T10:00:00.123Z\"}";
    private StubServer stub;
    private AxmeClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        client = client(2, Duration.ofMillis(20));
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    private AxmeClient client(int maxRetries, Duration base) {
        return AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("axme_admin_test_secret")
                .maxRetries(maxRetries).retryBaseDelay(base).timeout(Duration.ofSeconds(5)).build();
    }

    private static String error(String code, boolean retryable) {
        return "{\"ok\":false,\"error\":{\"code\":\"" + code + "\",\"message\":\"m\",\"category\":\"c\",\"retryable\":"
                + retryable + ",\"details\":{}},\"detail\":\"m\"}";
    }

    @Test
    void retries503ThenSucceedsReusingOneIdempotencyKey() {
        stub.thenJson(503, error("unavailable", true)).thenJson(503, error("unavailable", true)).thenJson(200, OK_INTENT);
        String id = client.sendIntent("intent.test.echo.v1", "worker", Map.of("k", 1));
        assertEquals("i-1", id);
        List<StubServer.Seen> seen = stub.requests();
        assertEquals(3, seen.size());
        String key = seen.get(0).header("Idempotency-Key");
        assertNotNull(key);
        seen.forEach(request -> assertEquals(key, request.header("Idempotency-Key")));
        assertEquals(seen.get(0).body(), seen.get(2).body());
    }

    @Test
    void givesUpAfterMaxRetriesWithTheLastError() {
        for (int i = 0; i < 3; i++) {
            stub.thenJson(500, error("internal_error", true));
        }
        ServerException error = assertThrows(ServerException.class, () -> client.getIntent("i-1"));
        assertEquals(500, error.status());
        assertEquals(3, stub.requests().size());
    }

    @Test
    void honoursRetryAfterSeconds() {
        stub.thenJson(429, error("rate_limited", true), Map.of("Retry-After", "1")).thenJson(200, "{\"ok\":true,\"intent\":{\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\"}}");
        client.withRawResponse().getIntent("i-1");
        List<StubServer.Seen> seen = stub.requests();
        long gapMillis = TimeUnit.NANOSECONDS.toMillis(seen.get(1).atNanos() - seen.get(0).atNanos());
        assertTrue(gapMillis >= 950, "waited only " + gapMillis + " ms for Retry-After: 1");
    }

    @Test
    void retryAfterAboveTheCapIsRaisedNotWaited() {
        stub.thenJson(429, error("rate_limited", true), Map.of("Retry-After", "120"));
        RateLimitException error = assertThrows(RateLimitException.class, () -> client.getIntent("i-1"));
        assertEquals(Duration.ofSeconds(120), error.retryAfter());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void a408IsARetriedTimeoutThatCarriesTheResponse() {
        for (int i = 0; i < 3; i++) {
            stub.thenJson(408, error("request_timeout", true));
        }
        RequestTimeoutException error = assertThrows(RequestTimeoutException.class, () -> client.getIntent("i-1"));
        assertInstanceOf(AxmeTimeoutException.class, error); // REQ-ERR-012: 408 is a Timeout
        assertEquals(408, error.info().status());
        assertEquals("request_timeout", error.info().code());
        assertEquals(3, stub.requests().size());
    }

    @Test
    void a501IsNotRetried() {
        stub.thenJson(501, error("not_implemented", true)).thenJson(200, OK_INTENT);
        assertThrows(ServerException.class, () -> client.getIntent("i-1"));
        assertEquals(1, stub.requests().size()); // REQ-RETRY-002: only 500, 502, 503, 504 among 5xx
    }

    @Test
    void clientErrorsAreNotRetried() {
        stub.thenJson(409, error("intent_terminal", false));
        ConflictException error = assertThrows(ConflictException.class, () -> client.cancelIntent("i-1", null));
        assertEquals("intent_terminal", error.code());
        assertEquals(1, stub.requests().size());
    }

    @ParameterizedTest
    @CsvSource({
        "400, bad_request, ai.axme.sdk.BadRequestException",
        "401, unauthorized, ai.axme.sdk.AuthenticationException",
        "403, forbidden, ai.axme.sdk.PermissionDeniedException",
        "404, intent_not_found, ai.axme.sdk.NotFoundException",
        "405, method_not_allowed, ai.axme.sdk.BadRequestException",
        "409, stale_delivery, ai.axme.sdk.ConflictException",
        "413, payload_too_large, ai.axme.sdk.BadRequestException",
        "422, validation_error, ai.axme.sdk.ValidationException",
        "429, rate_limited, ai.axme.sdk.RateLimitException",
        "500, internal_error, ai.axme.sdk.ServerException",
        "501, not_implemented, ai.axme.sdk.ServerException",
        "503, unavailable, ai.axme.sdk.ServerException",
    })
    void mapsEveryStatusToItsExceptionClass(int status, String code, String className) throws Exception {
        try (AxmeClient noRetry = client(0, Duration.ZERO)) {
            stub.thenJson(status, error(code, status >= 500));
            AxmeApiException error = assertThrows(AxmeApiException.class, () -> noRetry.getIntent("i-1"));
            assertInstanceOf(Class.forName(className), error);
            assertEquals(status, error.status());
            assertEquals(code, error.code());
            assertEquals("c", error.category());
            assertEquals("req-" + status, error.requestId());
            assertNotNull(error.traceId());
            assertEquals(status >= 500, error.retryable()); // as the envelope says
        }
    }

    @Test
    void aNonJsonErrorBodyStillMapsByStatus() throws Exception {
        try (AxmeClient noRetry = client(0, Duration.ZERO)) {
            stub.then(exchange -> {
                byte[] text = "gateway exploded".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(502, text.length);
                exchange.getResponseBody().write(text);
            });
            ServerException error = assertThrows(ServerException.class, () -> noRetry.getHealth());
            assertEquals("http_502", error.code());
            assertEquals("gateway exploded", error.body());
            assertTrue(error.retryable()); // REQ-ERR-004: 5xx
        }
    }

    @Test
    void aNonEnvelopeMessageIsTheBodysFirst200Characters() throws Exception {
        try (AxmeClient noRetry = client(0, Duration.ZERO)) {
            String page = "<html>" + "x".repeat(300) + "</html>";
            stub.then(exchange -> {
                byte[] text = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(418, text.length);
                exchange.getResponseBody().write(text);
            });
            BadRequestException error = assertThrows(BadRequestException.class, () -> noRetry.getHealth());
            assertEquals(page.substring(0, 200), error.info().message()); // REQ-ERR-013
            assertEquals(page.substring(0, 200), error.message());
            assertEquals("418 http_418: " + page.substring(0, 200), error.getMessage());
            assertEquals(page, error.body());
            assertEquals(false, error.retryable());
        }
    }

    @Test
    void aNonEnvelopeMessageCountsCharactersNotBytes() throws Exception {
        // Non-ASCII before the cut: the first 200 characters are more than 200 bytes of UTF-8.
        String text = "Mauvaise passerelle — réessayez plus tard. ".repeat(6);
        try (AxmeClient noRetry = client(0, Duration.ZERO)) {
            stub.then(exchange -> {
                byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(502, bytes.length);
                exchange.getResponseBody().write(bytes);
            });
            ServerException error = assertThrows(ServerException.class, () -> noRetry.getHealth());
            assertTrue(text.substring(0, 200).getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 200);
            assertEquals(text.substring(0, 200), error.message());
            assertEquals("http_502", error.code());
            stub.then(exchange -> {
                byte[] bytes = "404 page not found".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(404, bytes.length);
                exchange.getResponseBody().write(bytes);
            });
            NotFoundException missing = assertThrows(NotFoundException.class, () -> noRetry.getHealth());
            assertEquals("404 page not found", missing.message()); // a short body is kept whole
            assertEquals("http_404", missing.code());
            assertEquals(false, missing.retryable());
        }
    }

    @Test
    void sendsTheSdkHeadersAndEncodesAddressesAsOneSegment() {
        stub.thenJson(200, "{\"ok\":true,\"agent\":{\"address\":\"agent://local/default/w\"}}");
        client.getAgent("agent://local/default/w");
        StubServer.Seen seen = stub.requests().get(0);
        assertEquals("/v1/agents/agent%3A%2F%2Flocal%2Fdefault%2Fw", seen.pathAndQuery());
        assertEquals("axme-java/" + Version.SDK_VERSION, seen.header("User-Agent"));
        assertEquals("axme-java/" + Version.SDK_VERSION, seen.header("X-Axme-Client"));
        assertEquals("axme_admin_test_secret", seen.header("x-api-key"));
        assertNotNull(seen.header("X-Trace-Id"));
        assertEquals(null, seen.header("Idempotency-Key"), "GET carries no idempotency key");
    }

    @Test
    void callerTraceIdAndIdempotencyKeyAreUsedOnEveryAttempt() {
        stub.thenJson(503, error("unavailable", true)).thenJson(200, OK_INTENT);
        client.withOptions(RequestOptions.NONE.withTraceId("trace-1").withIdempotencyKey("idem-1"))
                .sendIntent("intent.test.echo.v1", "worker", Map.of());
        for (StubServer.Seen seen : stub.requests()) {
            assertEquals("trace-1", seen.header("X-Trace-Id"));
            assertEquals("idem-1", seen.header("Idempotency-Key"));
        }
        assertEquals(2, stub.requests().size());
    }

    @Test
    void aBundleIdempotencyKeyTravelsAsTheHeader() {
        stub.thenJson(200, "{\"ok\":true,\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\",\"scenario_id\":\"s\",\"agents\":[]}");
        client.withRawResponse().applyScenario(Map.of("scenario_id", "s", "idempotency_key", "bundle-key"));
        StubServer.Seen seen = stub.requests().get(0);
        assertEquals("bundle-key", seen.header("Idempotency-Key"));
        assertTrue(!seen.body().contains("idempotency_key"), seen.body());
    }

    @Test
    void traceIdsAreFreshPerCallButStableAcrossRetries() {
        stub.thenJson(503, error("unavailable", true)).thenJson(200, OK_INTENT).thenJson(200, OK_INTENT);
        client.sendIntent("intent.test.echo.v1", "worker", Map.of());
        client.sendIntent("intent.test.echo.v1", "worker", Map.of());
        List<StubServer.Seen> seen = stub.requests();
        assertEquals(seen.get(0).header("X-Trace-Id"), seen.get(1).header("X-Trace-Id"));
        assertTrue(!seen.get(1).header("X-Trace-Id").equals(seen.get(2).header("X-Trace-Id")));
    }

    @Test
    void getHealthCarriesNoKey() {
        stub.thenJson(200, "{\"ok\":true,\"service\":\"axme-server\",\"version\":\"0\",\"protocol\":\"axp/1\"}");
        client.getHealth();
        assertEquals(null, stub.requests().get(0).header("x-api-key"));
    }

    @Test
    void connectionRefusedIsAConnectionException() throws Exception {
        String deadUrl = stub.baseUrl();
        stub.close();
        try (AxmeClient dead = AxmeClient.builder().baseUrl(deadUrl).apiKey("k").maxRetries(1)
                .retryBaseDelay(Duration.ofMillis(1)).build()) {
            assertThrows(AxmeConnectionException.class, dead::getHealth);
        }
    }

    @Test
    void aSlowResponseIsATimeout() throws Exception {
        stub.then(exchange -> {
            StubServer.pause(2000);
            StubServer.send(exchange, 200, "{\"ok\":true}", Map.of());
        });
        try (AxmeClient impatient = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("k").maxRetries(0)
                .timeout(Duration.ofMillis(200)).build()) {
            assertThrows(AxmeTimeoutException.class, impatient::getHealth);
        }
    }

    @Test
    void interruptDuringBackoffCancelsAndNeverRetries() throws Exception {
        try (AxmeClient slowBackoff = client(5, Duration.ofSeconds(5))) {
            stub.otherwise(exchange -> StubServer.send(exchange, 503, error("unavailable", true), Map.of()));
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try {
                    slowBackoff.getHealth();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stub.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            caller.interrupt();
            caller.join(5000);
            assertInstanceOf(CancellationException.class, thrown.get());
            assertEquals(1, stub.requests().size(), "no attempt after the cancel");
        }
    }

    @Test
    void cancellingAnAsyncCallInterruptsIt() throws Exception {
        stub.otherwise(exchange -> StubServer.send(exchange, 503, error("unavailable", true), Map.of()));
        try (AxmeClient slowBackoff = client(5, Duration.ofSeconds(5))) {
            CompletableFuture<?> call = slowBackoff.async().getHealth();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (stub.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertTrue(call.cancel(true));
            assertThrows(CancellationException.class, call::join);
            StubServer.pause(300); // give a (buggy) retry the chance to show up
            assertEquals(1, stub.requests().size());
        }
    }

    @Test
    void asyncFailuresCarryTheSdkException() {
        stub.thenJson(404, error("intent_not_found", false));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> client.async().getIntent("x").get());
        assertInstanceOf(NotFoundException.class, failure.getCause());
    }

    @Test
    void builderRejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> AxmeClient.builder().apiKey("k").baseUrl("ftp://x").build());
        assertThrows(IllegalArgumentException.class, () -> AxmeClient.builder().maxRetries(-1));
        assertThrows(IllegalArgumentException.class, () -> AxmeClient.builder().timeout(Duration.ZERO));
    }
}
