package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads an agent's deliveries from {@code /v1/agents/{address}/intents/stream} and hands each new
 * one to a consumer; survives drops, idle timeouts, 429 and 5xx (jittered backoff, unlimited);
 * raises what retrying cannot fix (401, 403, unknown agent). Uses the long-poll binding only when
 * the stream endpoint is missing.
 */
final class DeliveryFeed {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");
    private static final int SEEN_DELIVERIES = 4096;
    private static final long QUICK_CLOSE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int POLL_WAIT_SECONDS = 25;

    private final Transport core;
    private final IdleWatchdog watchdog;
    private final RawAxmeClient raw;
    private final String address;
    private final Consumer<JsonNode> sink;
    private final StreamReconnector reconnector;
    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > SEEN_DELIVERIES;
        }
    };
    private volatile boolean stopped;
    private volatile SseConnection connection;
    private String cursor;
    private boolean polling;

    DeliveryFeed(Transport core, IdleWatchdog watchdog, RawAxmeClient raw, String address, Consumer<JsonNode> sink) {
        this.core = core;
        this.watchdog = watchdog;
        this.raw = raw;
        this.address = address;
        this.sink = sink;
        this.reconnector = new StreamReconnector(core.settings().retryPolicy(), -1);
    }

    /** Runs until {@link #stop()}; throws the error that made listening impossible. */
    void run() {
        while (!stopped) {
            if (polling) {
                pollOnce();
            } else {
                streamOnce();
            }
        }
    }

    void stop() {
        stopped = true;
        SseConnection open = connection;
        if (open != null) {
            open.close();
        }
    }

    private void streamOnce() {
        ApiRequest request = ApiRequest.get("/v1/agents/" + ApiRequest.encode(address) + "/intents/stream")
                .header("Cache-Control", "no-store");
        if (cursor != null) {
            request.query("since", cursor).header("Last-Event-ID", cursor);
        }
        long connectedAt = System.nanoTime();
        try {
            connection = SseConnection.open(core, watchdog, request, core.settings().streamIdleTimeout());
        } catch (AxmeApiException error) {
            if (StreamReconnector.isStreamMissing(error.status()) && !"agent_not_found".equals(error.code())) {
                LOG.log(Level.INFO, "delivery stream unavailable ({0}); long-polling instead", error.status());
                polling = true;
                return;
            }
            pause(reconnector.afterApiError(error));
            return;
        } catch (AxmeConnectionException error) {
            pause(reconnector.failed(error.getMessage(), error));
            return;
        }
        if (stopped) {
            connection.close();
            return;
        }
        boolean cleanEnd = readFrames(connection);
        connection.close();
        connection = null;
        if (stopped) {
            return;
        }
        if (!cleanEnd) {
            pause(reconnector.failed("delivery stream ended", null));
        } else if (System.nanoTime() - connectedAt < QUICK_CLOSE_NANOS) {
            pause(reconnector.quickCloseDelay());
        }
    }

    /** @return true when the server ended the stream normally ({@code stream.timeout}) */
    private boolean readFrames(SseConnection open) {
        boolean cleanEnd = false;
        try {
            SseEvent frame;
            while (!stopped && (frame = open.next()) != null) {
                if ("stream.timeout".equals(frame.event())) {
                    cleanEnd = true;
                } else if ("intent.delivery".equals(frame.event())) {
                    JsonNode delivery = Json.parse(core.mapper(), frame.data());
                    if (frame.id() != null && !frame.id().isEmpty()) {
                        cursor = frame.id();
                    }
                    reconnector.progressed();
                    offer(delivery);
                }
            }
        } catch (IOException dropped) {
            Transport.ensureNotCancelled();
            LOG.log(Level.INFO, "delivery stream of {0} interrupted: {1}", address,
                    open.idleTimedOut() ? "idle timeout" : dropped.toString());
        }
        return cleanEnd;
    }

    private void pollOnce() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("status", "pending");
        query.put("wait_seconds", POLL_WAIT_SECONDS);
        try {
            for (JsonNode delivery : raw.pollAgentDeliveries(address, query).body().path("deliveries")) {
                offer(delivery);
            }
            reconnector.progressed();
        } catch (AxmeApiException error) {
            pause(reconnector.afterApiError(error));
        } catch (AxmeConnectionException error) {
            pause(reconnector.failed(error.getMessage(), error));
        }
    }

    private void offer(JsonNode delivery) {
        String deliveryId = delivery.path("delivery_id").asText(null);
        if (deliveryId == null || !delivery.path("intent_id").isTextual()) {
            throw new StreamException("malformed delivery: " + delivery, null);
        }
        if (seen.put(deliveryId, Boolean.TRUE) == null) {
            sink.accept(delivery);
        }
    }

    private void pause(Duration delay) {
        if (!stopped) {
            Sleeper.sleep(delay, "waiting to reconnect the delivery stream");
        }
    }
}
