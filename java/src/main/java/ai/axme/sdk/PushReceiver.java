package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An {@link HttpHandler} for the push binding, from {@link AxmeClient#pushReceiver}: each POST is
 * verified (401 otherwise), acked, answered 202, then handled on a background thread exactly as
 * {@link AxmeClient#listen} handles a delivery. A delivery that is no longer ours (409 on ack) is
 * answered 200; an ack that fails otherwise 503, so the server redelivers (REQ-PUSH-006).
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/", client.pushReceiver(handler, PushVerifier.of(secret)));
 * server.start();
 * }</pre>
 */
public final class PushReceiver implements HttpHandler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");
    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final PushVerifier verifier;
    private final DeliveryProcessor processor;
    private final ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "axme-push-handler");
        thread.setDaemon(true);
        return thread;
    });

    PushReceiver(PushVerifier verifier, DeliveryProcessor processor) {
        // Without a store of its own the receiver keeps its own memory, not the process-wide one.
        this.verifier = verifier.seen() == Push.PROCESS_SEEN ? verifier.withSeen(PushSeenDeliveries.inMemory())
                : verifier;
        this.processor = processor;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Answer answer = answer(exchange);
            byte[] body = processor.mapper().writeValueAsBytes(Map.of(answer.key(), answer.value()));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private record Answer(int status, String key, String value) {}

    private Answer answer(HttpExchange exchange) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return new Answer(405, "error", "method_not_allowed");
        }
        if (handlers.isShutdown()) {
            return new Answer(503, "error", "shutting_down");
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            return new Answer(413, "error", "body_too_large");
        }
        JsonNode delivery;
        try {
            delivery = verifier.verifyJson(body, exchange.getRequestHeaders()::getFirst);
        } catch (SignatureException rejected) {
            LOG.log(Level.WARNING, "push rejected ({0}): {1}", rejected.reason(), rejected.getMessage());
            return new Answer(401, "error", rejected.reason());
        }
        ObjectNode acked;
        try {
            acked = processor.acknowledge(delivery);
        } catch (ConflictException notOurs) { // stale or terminal: nothing to do, do not redeliver
            return new Answer(200, "skipped", notOurs.code());
        } catch (AxmeApiException | AxmeConnectionException ackFailed) {
            LOG.log(Level.WARNING, "ack of pushed delivery {0} failed: {1}", delivery.path("delivery_id").asText(),
                    ackFailed.getMessage());
            return new Answer(503, "error", "ack_failed");
        }
        try {
            handlers.execute(() -> processor.handleAcked(acked));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            return new Answer(503, "error", "shutting_down"); // the lease expires and the server redelivers
        }
        return new Answer(202, "accepted", acked.path("delivery_id").asText());
    }

    /** Refuses new pushes (503) and waits for the deliveries being handled. */
    @Override
    public void close() {
        handlers.shutdown();
        try {
            while (!handlers.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.log(Level.INFO, "push receiver: still waiting for handlers to finish");
            }
        } catch (InterruptedException interrupted) {
            handlers.shutdownNow(); // handlers are interrupted; their leases expire and are redelivered
            Thread.currentThread().interrupt();
        }
    }
}
