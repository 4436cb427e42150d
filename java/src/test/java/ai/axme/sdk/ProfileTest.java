package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builder defaults: set values, then AXME_API_KEY / AXME_BASE_URL, then the profile {@code axme login} saved,
 * then the public URL (REQ-CLIENT-001, REQ-CLIENT-008); connection errors name the URL (REQ-CLIENT-009).
 * Java cannot change its environment, so the profile file is pointed at directly, and the builder's own
 * values stand in for the environment's (the conformance scenarios cover the environment).
 */
class ProfileTest {
    private static final String LOCAL = "http://127.0.0.1:8100";

    @TempDir
    Path dir;

    private Path profile(String content) throws Exception {
        Path file = dir.resolve(Profile.FILE);
        Files.writeString(file, content);
        return file;
    }

    private static AxmeClientBuilder builder(Path profileFile) {
        AxmeClientBuilder builder = AxmeClient.builder();
        builder.profileFile = profileFile;
        return builder;
    }

    private static URI baseUrl(AxmeClient client) {
        return URI.create(client.baseUrl());
    }

    @Test
    void theProfileFillsWhatTheBuilderLeavesOut() throws Exception {
        Path file = profile("{\"base_url\":\"" + LOCAL + "\",\"api_key\":\"axme_admin_p_s\",\"other\":1}");
        assertEquals(new Profile(LOCAL, "axme_admin_p_s"), Profile.read(file));
        try (AxmeClient client = builder(file).build()) {
            assertEquals(URI.create(LOCAL), baseUrl(client));
        }
        try (AxmeClient client = builder(file).baseUrl("http://given.test").build()) {
            assertEquals(URI.create("http://given.test"), baseUrl(client));
        }
    }

    @Test
    void withoutAProfileTheDefaultsApply() throws Exception {
        Path none = dir.resolve("missing.json");
        assertEquals(new Profile(null, null), Profile.read(none));
        try (AxmeClient client = builder(none).apiKey("k").build()) {
            assertEquals(URI.create(AxmeClientBuilder.DEFAULT_BASE_URL), baseUrl(client));
        }
        if (System.getenv("AXME_API_KEY") == null) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder(none).build());
            assertTrue(e.getMessage().contains("axme login"), e.getMessage());
        }
    }

    @Test
    void aBrokenProfileIsAnErrorNamingIt() throws Exception {
        for (String content : List.of("{not json", "[1]", "{\"base_url\":8100}", "{\"api_key\":[\"x\"]}")) {
            Path file = profile(content);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Profile.read(file));
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            builder(file).apiKey("k").baseUrl(LOCAL).build().close(); // not read when nothing is missing
        }
    }

    @Test
    void theConfigDirFollowsThePlatform() {
        String home = "/home/u";
        assertEquals(Path.of("/x/cfg"), Profile.configDir(Map.of("AXME_CONFIG_DIR", "/x/cfg"), "Linux", home));
        assertEquals(Path.of("/xdg/axme"), Profile.configDir(Map.of("XDG_CONFIG_HOME", "/xdg"), "Linux", home));
        assertEquals(Path.of(home, ".config", "axme"), Profile.configDir(Map.of("XDG_CONFIG_HOME", " "), "Linux", home));
        assertEquals(Path.of(home, "Library", "Application Support", "axme"), Profile.configDir(Map.of(), "Mac OS X", home));
        assertEquals(Path.of("/appdata", "axme"), Profile.configDir(Map.of("APPDATA", "/appdata"), "Windows 11", home));
    }

    @Test
    void connectionErrorsNameTheUrlTried() {
        try (AxmeClient client = AxmeClient.builder().apiKey("k").baseUrl("http://127.0.0.1:9").maxRetries(0).build()) {
            AxmeConnectionException e = assertThrows(AxmeConnectionException.class,
                    () -> client.getIntent("00000000-0000-4000-8000-000000000000"));
            assertTrue(e.getMessage().contains("http://127.0.0.1:9/v1/intents/00000000-0000-4000-8000-000000000000"),
                    e.getMessage());
        }
    }
}
