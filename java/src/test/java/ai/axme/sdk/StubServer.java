package ai.axme.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A loopback HTTP stub for unit-level edge cases: scripted responses, recorded requests. */
final class StubServer implements AutoCloseable {
    /** What the stub does with one request. */
    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws IOException;
    }

    /** One request as the stub saw it. */
    record Seen(String method, String pathAndQuery, Map<String, List<String>> headers, String body, long atNanos) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final BlockingQueue<Responder> script = new LinkedBlockingQueue<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile Responder fallback = exchange -> send(exchange, 500, "{\"ok\":false,\"error\":{\"code\":\"unscripted\",\"message\":\"no scripted response\"}}", Map.of());

    StubServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String target = exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery());
            seen.add(new Seen(exchange.getRequestMethod(), target, Map.copyOf(exchange.getRequestHeaders()), body, System.nanoTime()));
            Responder next = script.poll();
            try {
                (next != null ? next : fallback).respond(exchange);
            } catch (IOException clientWentAway) {
                // the client closed the connection (idle timeout, cancel): nothing to do
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    StubServer then(Responder responder) {
        script.add(responder);
        return this;
    }

    StubServer thenJson(int status, String json) {
        return then(exchange -> send(exchange, status, json, Map.of()));
    }

    StubServer thenJson(int status, String json, Map<String, String> headers) {
        return then(exchange -> send(exchange, status, json, headers));
    }

    void otherwise(Responder responder) {
        this.fallback = responder;
    }

    List<Seen> requests() {
        return seen;
    }

    static void send(HttpExchange exchange, int status, String json, Map<String, String> headers) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("X-Request-Id", "req-" + status);
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Starts an SSE response and writes the frames, flushing after each. */
    static void sse(HttpExchange exchange, String... frames) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String frame : frames) {
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        out.close();
    }

    static String event(long seq, String type, String status) {
        return "id: " + seq + "\nevent: " + type + "\ndata: {\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\",\"seq\":" + seq
                + ",\"event_type\":\"" + type + "\",\"status\":\"" + status + "\"}\n\n";
    }

    static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
