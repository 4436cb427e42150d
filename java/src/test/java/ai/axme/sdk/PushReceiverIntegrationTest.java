package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.generated.AgentRegisteredResponse;
import ai.axme.sdk.generated.DeliveryMode;
import ai.axme.sdk.generated.Intent;
import ai.axme.sdk.generated.IntentStatus;
import ai.axme.sdk.generated.RegisterAgentRequest;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The server pushes to a PushReceiver on the JDK's HttpServer (REQ-PUSH-*), over 127.0.0.1. */
class PushReceiverIntegrationTest {
    private static final String SECRET = "whsec_java_integration_0123456789abcd";
    private static final ReferenceServer server = ReferenceServer.shared();

    private static AxmeClient client(String key) {
        return AxmeClient.builder().baseUrl(server.baseUrl()).apiKey(key).retryBaseDelay(Duration.ofMillis(20)).build();
    }

    @Test
    void pushedDeliveryCompletesAndAReplayIsRefused() throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/";
        try (AxmeClient admin = client(server.newNamespaceAdminKey())) {
            AgentRegisteredResponse registered = admin.registerAgent(new RegisterAgentRequest().address("java-push")
                    .deliveryMode(DeliveryMode.HTTP).callbackUrl(URI.create(url)).callbackSecret(SECRET));
            List<String> served = new CopyOnWriteArrayList<>();
            try (AxmeClient agent = client(registered.getApiKey());
                    PushReceiver receiver = agent.pushReceiver(delivery -> {
                        served.add(delivery.deliveryId());
                        return Map.of("echo", delivery.payload().get("n"));
                    }, PushVerifier.of(SECRET))) {
                http.createContext("/", receiver);
                http.start();
                String intentId = admin.sendIntent("intent.test.push.v1", "java-push", Map.of("n", 1));
                Intent done = admin.waitFor(intentId, Duration.ofSeconds(20));
                assertEquals(IntentStatus.COMPLETED, done.getStatus());
                assertEquals(Map.of("echo", 1), done.getResult());
                assertEquals(1, served.size());

                byte[] body = ("{\"delivery_id\":\"" + served.get(0) + "\",\"intent_id\":\"" + intentId + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                String signature = Push.signDelivery(body, SECRET, Instant.now().getEpochSecond());
                HttpRequest replay = HttpRequest.newBuilder(URI.create(url)).header("X-Axme-Signature", signature)
                        .header("X-Axme-Delivery-Id", served.get(0)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<String> answer = HttpClient.newHttpClient().send(replay, HttpResponse.BodyHandlers.ofString());
                assertEquals(401, answer.statusCode());
                assertTrue(answer.body().contains("replayed_delivery"), answer.body());
                assertEquals(1, served.size());
            }
        } finally {
            http.stop(0);
        }
    }
}
