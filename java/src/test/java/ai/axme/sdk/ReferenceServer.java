package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real reference server (docs/architecture.md#the-reference-server-process) in a subprocess on 127.0.0.1 with a fresh data
 * directory and {@code --testing}; ready when it prints its {@code AXME_SERVER_READY} line.
 */
final class ReferenceServer implements AutoCloseable {
    private static final String READY = "AXME_SERVER_READY ";
    private final Process process;
    private final Path dataDir;
    private final String baseUrl;
    private final String operatorKey;
    private final ObjectMapper mapper = new ObjectMapper();
    private final java.util.Map<String, String> namespaces = new java.util.concurrent.ConcurrentHashMap<>();

    private ReferenceServer(Process process, Path dataDir, String baseUrl, String operatorKey) {
        this.process = process;
        this.dataDir = dataDir;
        this.baseUrl = baseUrl;
        this.operatorKey = operatorKey;
    }

    private static ReferenceServer shared;

    /**
     * One server for every test class of the run (each test takes a fresh workspace of its own), as the
     * .NET tests' ReferenceServer.Shared; it stops when the JVM exits.
     */
    static synchronized ReferenceServer shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the reference server", e);
            }
            ReferenceServer started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting: a left-over temp dir is all that is lost
                }
            }));
        }
        return shared;
    }

    static ReferenceServer start() throws Exception {
        Path root = TestPaths.repoRoot();
        Path python = root.resolve(".venv/bin/python");
        Path dataDir = Files.createTempDirectory("axme-java-it");
        Process process = new ProcessBuilder(python.toString(), "-m", "axme_server", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", dataDir.toString(), "--testing")
                .redirectError(ProcessBuilder.Redirect.appendTo(root.resolve("java/target/reference-server.log").toFile()))
                .start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = stdout.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        return line.substring(READY.length());
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String json = ready.get(60, TimeUnit.SECONDS);
        if (json == null) {
            process.destroyForcibly();
            throw new IllegalStateException("reference server exited before it was ready (see java/target/reference-server.log)");
        }
        JsonNode info = new ObjectMapper().readTree(json);
        return new ReferenceServer(process, dataDir, info.path("base_url").asText(), info.path("admin_api_key").asText());
    }

    String baseUrl() {
        return baseUrl;
    }

    /** @return the admin key of the server's first workspace (workspace management, rotateLinkSecret) */
    String operatorKey() {
        return operatorKey;
    }

    /** @return the admin key of a fresh workspace (test-only endpoint) */
    String newNamespaceAdminKey() throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/_testing/namespaces"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = mapper.readTree(response.body());
        namespaces.put(body.path("admin_api_key").asText(), body.path("namespace").asText());
        return body.path("admin_api_key").asText();
    }

    /** @return what the server recorded of the requests made with keys of that key's namespace (test-only) */
    JsonNode recordedRequests(String namespaceAdminKey) throws Exception {
        String namespace = namespaces.get(namespaceAdminKey);
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/_testing/requests?namespace=" + namespace)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return mapper.readTree(response.body()).path("requests");
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException interrupted) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
