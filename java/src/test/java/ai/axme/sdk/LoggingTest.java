package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DEBUG log of each attempt (System.Logger "ai.axme.sdk", here through java.util.logging). */
class LoggingTest {
    private static final String KEY = "axme_admin_k1_SecretSecret";
    private final Logger jul = Logger.getLogger("ai.axme.sdk");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level previousLevel;
    private StubServer stub;

    @BeforeEach
    void start() throws Exception {
        previousLevel = jul.getLevel();
        jul.setLevel(Level.ALL);
        jul.addHandler(capture);
        stub = new StubServer();
    }

    @AfterEach
    void stop() {
        jul.removeHandler(capture);
        jul.setLevel(previousLevel);
        stub.close();
    }

    @Test
    void eachAttemptIsLoggedAtDebugWithStatusAttemptAndRequestIdNeverTheKey() {
        stub.thenJson(503, "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"m\",\"category\":\"c\","
                + "\"retryable\":true,\"details\":{}},\"detail\":\"m\"}") // the stub's X-Request-Id: req-<status>
                .thenJson(200, "{\"ok\":true,\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\",\"created_at\":\"t\"}");
        try (AxmeClient client = AxmeClient.builder().baseUrl(stub.baseUrl()).apiKey(KEY)
                .retryBaseDelay(Duration.ofMillis(5)).build()) {
            client.sendIntent("intent.test.echo.v1", "worker", Map.of("note", "body-text"));
        }
        List<String> attempts = records.stream().map(LogRecord::getMessage)
                .filter(m -> m.startsWith("POST /v1/intents -> ")).toList();
        assertEquals(2, attempts.size(), records.toString());
        assertTrue(attempts.get(0).startsWith("POST /v1/intents -> 503 (attempt 1, request req-503, trace "), attempts.get(0));
        assertTrue(attempts.get(1).startsWith("POST /v1/intents -> 200 (attempt 2, request req-200, trace "), attempts.get(1));
        records.stream().filter(r -> r.getMessage().startsWith("POST"))
                .forEach(r -> assertEquals(Level.FINE, r.getLevel()));
        for (LogRecord record : records) {
            String text = record.getMessage() + " " + String.valueOf(record.getThrown());
            assertFalse(text.contains("SecretSecret") || text.contains("body-text"), text);
        }
    }
}
