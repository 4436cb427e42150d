package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** observe(): resume after drops without loss or duplicates, idle timeout, poll fallback, errors. */
class EventStreamTest {
    private StubServer stub;
    private AxmeClient client;

    @BeforeEach
    void start() throws Exception {
        stub = new StubServer();
        client = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("k").maxRetries(2)
                .retryBaseDelay(Duration.ofMillis(10)).streamIdleTimeout(Duration.ofMillis(300))
                .pollInterval(Duration.ofMillis(20)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    private List<Long> seqs(EventStream stream) {
        List<Long> seqs = new ArrayList<>();
        for (Event event : stream) {
            seqs.add(event.getSeq().longValue());
        }
        return seqs;
    }

    @Test
    void resumesAfterADropWithLastEventIdAndNoDuplicates() {
        stub.then(exchange -> StubServer.sse(exchange, "retry: 2000\n\n",
                        StubServer.event(1, "intent.submitted", "SUBMITTED"), StubServer.event(2, "intent.delivered", "DELIVERED")))
                // the server replays seq 2 after the reconnect; it must not be yielded twice
                .then(exchange -> StubServer.sse(exchange, StubServer.event(2, "intent.delivered", "DELIVERED"),
                        StubServer.event(3, "intent.completed", "COMPLETED")));
        try (EventStream stream = client.observe("i-1")) {
            assertEquals(List.of(1L, 2L, 3L), seqs(stream));
        }
        StubServer.Seen reconnect = stub.requests().get(1);
        assertEquals("2", reconnect.header("Last-Event-ID"));
        assertTrue(reconnect.pathAndQuery().contains("since=2"), reconnect.pathAndQuery());
    }

    @Test
    void aSilentStreamIsReconnectedAfterTheIdleTimeout() {
        stub.then(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(StubServer.event(1, "intent.submitted", "SUBMITTED").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            StubServer.pause(3000); // then silence: no keepalive
        }).then(exchange -> StubServer.sse(exchange, StubServer.event(2, "intent.canceled", "CANCELED")));
        try (EventStream stream = client.observe("i-1")) {
            assertEquals(List.of(1L, 2L), seqs(stream));
        }
        assertEquals(2, stub.requests().size());
    }

    @Test
    void streamTimeoutFramesReconnectFromNextSeq() {
        stub.then(exchange -> StubServer.sse(exchange, StubServer.event(1, "intent.submitted", "SUBMITTED"),
                        "event: stream.timeout\ndata: {\"next_seq\":1}\n\n"))
                .then(exchange -> StubServer.sse(exchange, StubServer.event(2, "intent.failed", "FAILED")));
        try (EventStream stream = client.observe("i-1")) {
            assertEquals(List.of(1L, 2L), seqs(stream));
        }
    }

    @Test
    void fallsBackToPollingOnlyWhenTheStreamEndpointIsMissing() {
        stub.thenJson(404, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}")
                .thenJson(200, "{\"ok\":true,\"events\":[],\"next_seq\":0}")
                .thenJson(200, "{\"ok\":true,\"events\":[{\"seq\":1,\"event_type\":\"intent.submitted\",\"status\":\"SUBMITTED\"},"
                        + "{\"seq\":2,\"event_type\":\"intent.completed\",\"status\":\"COMPLETED\"}],\"next_seq\":2}");
        try (EventStream stream = client.observe("i-1")) {
            assertEquals(List.of(1L, 2L), seqs(stream));
        }
        assertTrue(stub.requests().get(1).pathAndQuery().startsWith("/v1/intents/i-1/events?since=0"));
    }

    @Test
    void anUnknownIntentRaisesInsteadOfPolling() {
        stub.thenJson(404, "{\"ok\":false,\"error\":{\"code\":\"intent_not_found\",\"message\":\"no such intent\"}}");
        try (EventStream stream = client.observe("nope")) {
            assertThrows(NotFoundException.class, () -> stream.iterator().hasNext());
        }
        assertEquals(1, stub.requests().size());
    }

    @Test
    void serverErrorsAreRetriedThenRaisedAsAStreamException() {
        stub.otherwise(exchange -> StubServer.send(exchange, 503,
                "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"down\",\"retryable\":true}}", Map.of()));
        try (EventStream stream = client.observe("i-1")) {
            StreamException error = assertThrows(StreamException.class, () -> stream.iterator().hasNext());
            assertInstanceOf(ServerException.class, error.getCause());
        }
        assertEquals(6, stub.requests().size(), "max(max_retries, 5) + 1 attempts");
    }

    @Test
    void withoutUntilTerminalTheStreamGoesOnAfterATerminalEvent() {
        stub.then(exchange -> StubServer.sse(exchange, StubServer.event(1, "intent.completed", "COMPLETED")))
                .then(exchange -> StubServer.sse(exchange, StubServer.event(2, "intent.progress", "IN_PROGRESS")));
        try (EventStream stream = client.observe("i-1", 0, false)) {
            assertEquals("intent.completed", stream.nextJson().path("event_type").asText());
            assertEquals(2, stream.nextJson().path("seq").asLong());
        }
    }

    @Test
    void dataThatIsNotJsonIsAStreamException() {
        stub.then(exchange -> StubServer.sse(exchange, "id: 1\nevent: intent.submitted\ndata: {not json\n\n"));
        try (EventStream stream = client.observe("i-1")) {
            assertThrows(StreamException.class, () -> stream.iterator().hasNext());
        }
    }

    @Test
    void closeFromAnotherThreadEndsTheIteration() throws Exception {
        stub.then(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            for (int i = 0; i < 40; i++) {
                exchange.getResponseBody().write(": keepalive\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                StubServer.pause(100);
            }
        });
        EventStream stream = client.observe("i-1");
        Thread closer = new Thread(() -> {
            StubServer.pause(200);
            stream.close();
        });
        closer.start();
        assertEquals(false, stream.iterator().hasNext());
        closer.join();
    }

    @Test
    void interruptingABlockedReaderCancelsIt() throws Exception {
        stub.then(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(": hello\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            StubServer.pause(5000); // stalls with no keepalive (the idle timeout is longer than the test waits)
        });
        try (AxmeClient patient = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey("k")
                .streamIdleTimeout(Duration.ofSeconds(30)).build()) {
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread reader = new Thread(() -> {
                try (EventStream stream = patient.observe("i-1")) {
                    stream.iterator().hasNext();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            reader.start();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (stub.requests().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            StubServer.pause(100); // let it block in the read
            reader.interrupt();
            reader.join(3000);
            assertFalse(reader.isAlive(), "an interrupted observe returns promptly");
            assertInstanceOf(java.util.concurrent.CancellationException.class, thrown.get());
        }
    }

    private static String intentFrame(String status, long lastSeq) {
        return "event: stream.intent\ndata: {\"intent\":{\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"status\":\"" + status
                + "\",\"last_seq\":" + lastSeq + "}}\n\n";
    }

    @Test
    void waitForIsOneStreamRequestTakingTheIntentFromItsFrames() {
        stub.then(exchange -> StubServer.sse(exchange, intentFrame("WAITING", 1),
                StubServer.event(1, "intent.submitted", "SUBMITTED"), StubServer.event(2, "intent.completed", "COMPLETED"),
                intentFrame("COMPLETED", 2)));
        assertEquals("COMPLETED", client.waitFor("i-1").getStatus().getValue());
        assertEquals(1, stub.requests().size(), "REQ-WAIT-005: no getIntent before or after");
        assertTrue(stub.requests().get(0).pathAndQuery().contains("include_intent=true"));
    }

    @Test
    void waitForOnATerminalIntentTakesTheOnlyFrame() {
        stub.then(exchange -> StubServer.sse(exchange, intentFrame("CANCELED", 2)));
        assertEquals("CANCELED", client.waitFor("i-1").getStatus().getValue());
        assertEquals(1, stub.requests().size());
    }

    @Test
    void waitForAgainstAnOlderServerReadsTheIntentOnceAfterTheTerminalEvent() {
        stub.then(exchange -> StubServer.sse(exchange, StubServer.event(2, "intent.completed", "COMPLETED")))
                .thenJson(200, "{\"ok\":true,\"intent\":{\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"status\":\"COMPLETED\",\"last_seq\":2}}");
        assertEquals("COMPLETED", client.waitFor("i-1").getStatus().getValue());
        assertEquals(2, stub.requests().size());
    }

    @Test
    void waitForRaisesWaitTimeoutAndLeavesTheIntentAlone() {
        stub.otherwise(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            for (int i = 0; i < 30; i++) {
                exchange.getResponseBody().write(": keepalive\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                exchange.getResponseBody().flush();
                StubServer.pause(100);
            }
        });
        WaitTimeoutException error = assertThrows(WaitTimeoutException.class,
                () -> client.waitFor("i-1", Duration.ofMillis(400)));
        assertEquals("i-1", error.intentId());
        stub.requests().forEach(request -> assertEquals("GET", request.method(), "waitFor never writes"));
    }
}
