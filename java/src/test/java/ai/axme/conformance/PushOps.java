package ai.axme.conformance;

import ai.axme.sdk.AxmeClient;
import ai.axme.sdk.PushReceiver;
import ai.axme.sdk.PushVerifier;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code push_receiver} op: the SDK's {@link PushReceiver} on the JDK's HTTP server at a free
 * 127.0.0.1 port, until {@code max_deliveries} deliveries were handled or the op is cancelled.
 */
final class PushOps {
    private final StreamingOps streaming;
    private final DriverOutput out;

    PushOps(StreamingOps streaming, DriverOutput out) {
        this.streaming = streaming;
        this.out = out;
    }

    void pushReceiver(long id, AxmeClient client, JsonNode params, OpRegistry.Op op)
            throws IOException, InterruptedException {
        int wanted = params.path("max_deliveries").asInt(1);
        JsonNode handler = params.path("handler");
        String action = handler.path("action").asText("complete");
        CountDownLatch enough = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        List<String> secrets = new ArrayList<>();
        params.path("secrets").forEach(secret -> secrets.add(secret.asText()));
        PushVerifier verifier = PushVerifier.of(secrets.toArray(String[]::new));
        if (params.has("tolerance_s")) {
            verifier = verifier.withTolerance(Duration.ofMillis((long) (params.path("tolerance_s").asDouble() * 1000)));
        }
        PushReceiver receiver = client.pushReceiver(delivery -> {
            out.item(id, "delivery", delivery.json());
            try {
                return streaming.act(action, handler, delivery, new CountDownLatch(1));
            } finally {
                if (wanted > 0 && handled.incrementAndGet() >= wanted) {
                    enough.countDown();
                }
            }
        }, verifier);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        ExecutorService requests = Executors.newCachedThreadPool();
        server.setExecutor(requests);
        server.createContext("/", receiver);
        server.start();
        try {
            op.onCancel(enough::countDown);
            ObjectNode listening = JsonNodeFactory.instance.objectNode();
            listening.put("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/");
            out.item(id, "receiver", listening);
            enough.await();
        } finally {
            receiver.close(); // the deliveries being resumed finish first
            server.stop(1); // lets the answers being written finish (the JDK waits up to the delay)
            requests.shutdownNow();
        }
        op.throwIfCancelled();
        out.done(id);
    }
}
