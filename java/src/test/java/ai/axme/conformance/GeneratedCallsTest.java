package ai.axme.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.axme.sdk.AxmeClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every generated call reaches its operation's route in spec/dist/openapi.json: the path
 * parameters from the args by wire name, a query parameter as the query, the rest as the body
 * (without the path parameters), and the response body comes back as the server sent it.
 */
class GeneratedCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "{\"ok\":true,\"echo\":{\"kept\":[1,null]}}";
    private final List<String[]> seen = new ArrayList<>();
    private HttpServer server;
    private AxmeClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (seen) {
                seen.add(new String[] {exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    String.valueOf(exchange.getRequestURI().getRawQuery()), body});
            }
            byte[] answer = ANSWER.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        client = AxmeClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .apiKey("axme_admin_test_secret").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    @Test
    void everyGeneratedCallSendsItsOperation() throws IOException {
        Path root = Path.of(System.getProperty("axme.repoRoot", "..")).toAbsolutePath().normalize();
        JsonNode spec = JSON.readTree(root.resolve("spec/dist/openapi.json").toFile());
        CallDispatcher calls = new CallDispatcher(JSON);
        for (String name : GeneratedCalls.OPERATIONS) {
            Route route = Route.of(spec, name);
            ObjectNode args = JSON.createObjectNode();
            route.pathParameters.forEach(p -> args.put(p, "seg " + p));
            route.stringMembers.forEach(m -> args.put(m, "member " + m));
            if (!route.query.isEmpty()) {
                args.put(route.query.get(0), "q");
            }
            JsonNode result = calls.call(client, name, args);
            assertEquals(JSON.readTree(ANSWER), result, name);
            String[] request = seen.remove(seen.size() - 1);
            String path = route.path;
            for (String p : route.pathParameters) {
                path = path.replace("{" + p + "}", ("seg " + p).replace(" ", "%20"));
            }
            assertEquals(route.verb + " " + path, request[0] + " " + request[1], name);
            if (!route.query.isEmpty() && !GeneratedCalls.NARROWER_THAN_SPEC.containsKey(name)) {
                assertTrue(request[2].contains(route.query.get(0) + "=q"), name + " query " + request[2]);
            }
            if (request[0].equals("POST") && !request[3].isEmpty()) {
                JsonNode sent = JSON.readTree(request[3]);
                route.pathParameters.forEach(p -> assertFalse(sent.has(p), name + " sent the path parameter " + p));
            }
        }
        assertTrue(GeneratedCalls.OPERATIONS.contains("rotateCallbackSecret"), "an operation without a scenario is callable too");
    }

    @Test
    void anUnknownMethodIsRefused() {
        assertThrows(UnsupportedOperationException.class, () -> new CallDispatcher(JSON).call(client, "noSuchOperation", null));
    }

    /** One operation of the spec: its verb and path, its path and query parameters, its body's string members. */
    private record Route(String verb, String path, List<String> pathParameters, List<String> query, List<String> stringMembers) {
        static Route of(JsonNode spec, String operationId) {
            for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext();) {
                Map.Entry<String, JsonNode> item = paths.next();
                for (Iterator<Map.Entry<String, JsonNode>> ops = item.getValue().fields(); ops.hasNext();) {
                    Map.Entry<String, JsonNode> op = ops.next();
                    if (operationId.equals(op.getValue().path("operationId").asText())) {
                        return build(spec, item.getKey(), item.getValue(), op.getKey(), op.getValue());
                    }
                }
            }
            throw new AssertionError(operationId + " is not an operation of the spec");
        }

        private static Route build(JsonNode spec, String path, JsonNode item, String verb, JsonNode op) {
            List<String> pathParameters = new ArrayList<>();
            List<String> query = new ArrayList<>();
            List<JsonNode> parameters = new ArrayList<>();
            item.path("parameters").forEach(parameters::add);
            op.path("parameters").forEach(parameters::add);
            for (JsonNode parameter : parameters) {
                JsonNode p = resolve(spec, parameter);
                switch (p.path("in").asText()) {
                    case "path" -> pathParameters.add(p.path("name").asText());
                    case "query" -> query.add(p.path("name").asText());
                    default -> { } // headers are the client's
                }
            }
            List<String> members = new ArrayList<>();
            JsonNode schema = resolve(spec, resolve(spec, op.path("requestBody")).path("content").path("application/json").path("schema"));
            JsonNode required = schema.path("required");
            required.forEach(m -> {
                if ("string".equals(resolve(spec, schema.path("properties").path(m.asText())).path("type").asText())) {
                    members.add(m.asText());
                }
            });
            return new Route(verb.toUpperCase(Locale.ROOT), path, pathParameters, query, members);
        }

        private static JsonNode resolve(JsonNode spec, JsonNode node) {
            if (!node.has("$ref")) {
                return node;
            }
            return spec.at(node.get("$ref").asText().substring(1));
        }
    }
}
