package ai.axme.conformance;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.AxmeClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Java SDK's conformance driver (conformance/driver-protocol.md): one long-lived process,
 * JSON lines on stdin/stdout, every op run on its own thread through the SDK's public API only.
 */
public final class ConformanceDriver {
    private static final String VERSION = "0.1.0";

    private final ObjectMapper mapper = new ObjectMapper();
    private final DriverOutput out;
    private final CallDispatcher calls = new CallDispatcher(mapper);
    private final StreamingOps streaming;
    private final OpRegistry ops = new OpRegistry();
    private final Map<String, AxmeClient> clients = new ConcurrentHashMap<>();
    private final AtomicInteger clientCounter = new AtomicInteger();
    private final ExecutorService workers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "driver-op");
        thread.setDaemon(true);
        return thread;
    });
    private volatile String latestClient;

    private ConformanceDriver(PrintStream stdout) {
        this.out = new DriverOutput(mapper, stdout);
        this.streaming = new StreamingOps(mapper, out);
    }

    /**
     * @param args unused
     * @throws IOException if stdin cannot be read
     */
    public static void main(String[] args) throws IOException {
        PrintStream protocol = System.out;
        System.setOut(System.err); // anything printed by accident must not corrupt the protocol
        new ConformanceDriver(protocol).run(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    private void run(BufferedReader in) throws IOException {
        String text;
        while ((text = in.readLine()) != null) {
            if (text.isBlank()) {
                continue;
            }
            JsonNode message = mapper.readTree(text);
            long id = message.path("id").asLong();
            String op = message.path("op").asText();
            if ("shutdown".equals(op)) {
                out.ok(id, mapper.createObjectNode());
                break;
            }
            if ("cancel".equals(op)) {
                long target = message.has("target_id") ? message.path("target_id").asLong() : message.path("args").path("target_id").asLong();
                boolean cancelled = ops.cancel(target);
                out.ok(id, mapper.createObjectNode().put("cancelled", cancelled));
                continue;
            }
            OpRegistry.Op handle = ops.register(id);
            if ("hello".equals(op) || "new_client".equals(op)) {
                runOp(id, op, message, handle); // quick, and later ops depend on them
            } else {
                workers.execute(() -> runOp(id, op, message, handle));
            }
        }
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        clients.values().forEach(AxmeClient::close);
        System.exit(0);
    }

    private void runOp(long id, String op, JsonNode message, OpRegistry.Op handle) {
        handle.started();
        try {
            handle.throwIfCancelled();
            switch (op) {
                case "hello":
                    out.ok(id, hello());
                    break;
                case "new_client":
                    out.ok(id, newClient(message.path("config")));
                    break;
                case "call":
                    out.ok(id, calls.call(client(message), message.path("method").asText(), message.get("args")));
                    break;
                case "observe":
                    streaming.observe(id, client(message), params(message), handle);
                    break;
                case "wait_for":
                    out.ok(id, streaming.waitFor(client(message), params(message)));
                    break;
                case "listen":
                    streaming.listen(id, client(message), params(message), handle);
                    break;
                case "push_receiver":
                    new PushOps(streaming, out).pushReceiver(id, client(message), params(message), handle);
                    break;
                default:
                    throw new UnsupportedOperationException("unknown op " + op);
            }
        } catch (Throwable failure) {
            if (!(failure instanceof RuntimeException) && !(failure instanceof InterruptedException)) {
                failure.printStackTrace();
            }
            ObjectNode error = ErrorReport.of(handle.cancelled() ? new CancellationException("cancelled") : failure, mapper);
            if ("DriverError".equals(error.path("type").asText())) {
                failure.printStackTrace();
            }
            out.error(id, error);
        } finally {
            handle.ended();
            Thread.interrupted(); // clear a cancel's interrupt before the pool reuses this thread
            ops.finished(id);
        }
    }

    private ObjectNode hello() {
        ObjectNode result = mapper.createObjectNode();
        result.put("sdk", "java");
        result.put("version", VERSION);
        ArrayNode capabilities = result.putArray("capabilities");
        for (String capability : new String[] {"retries", "observe", "wait_for", "listen", "cancel", "push"}) {
            capabilities.add(capability);
        }
        return result;
    }

    private ObjectNode newClient(JsonNode config) {
        AxmeClientBuilder builder = AxmeClient.builder()
                .maxRetries(config.path("max_retries").asInt(2))
                .retryBaseDelay(Duration.ofMillis(config.path("retry_base_ms").asLong(500)))
                .timeout(Duration.ofMillis(config.path("timeout_ms").asLong(30000)));
        // An absent api_key/base_url is left to the SDK: AXME_API_KEY / AXME_BASE_URL.
        if (config.hasNonNull("base_url")) {
            builder.baseUrl(config.get("base_url").asText());
        }
        if (config.hasNonNull("api_key")) {
            builder.apiKey(config.get("api_key").asText());
        }
        if ("debug".equals(config.path("log_level").asText())) {
            SdkLogging.debugToStderr();
        }
        AxmeClient client;
        try {
            client = builder.build();
        } catch (IllegalArgumentException refused) { // build() does no I/O: a configuration error
            throw new ConfigurationRefused(refused.getMessage());
        }
        String name = "c" + clientCounter.incrementAndGet();
        clients.put(name, client);
        latestClient = name;
        return mapper.createObjectNode().put("client", name);
    }

    private AxmeClient client(JsonNode message) {
        String name = message.hasNonNull("client") ? message.get("client").asText() : latestClient;
        AxmeClient client = name == null ? null : clients.get(name);
        if (client == null) {
            throw new IllegalStateException("no client " + name + " (send new_client first)");
        }
        return client;
    }

    /** Op parameters are at the top level and under "args" (the harness sends both). */
    private static JsonNode params(JsonNode message) {
        JsonNode args = message.get("args");
        return args != null && args.isObject() && args.size() > 0 ? args : message;
    }
}
