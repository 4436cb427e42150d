package ai.axme.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The profile {@code axme login} saves, read the same way by every SDK (REQ-CLIENT-008): {@code config.json}
 * in {@code $AXME_CONFIG_DIR}, else the platform's config dir + {@code axme} ({@code %APPDATA%\axme},
 * {@code ~/Library/Application Support/axme}, {@code $XDG_CONFIG_HOME/axme} or {@code ~/.config/axme}).
 * Its string members {@code base_url} and {@code api_key} are the fallbacks after the builder and the
 * environment.
 *
 * @param baseUrl the profile's base URL, null when absent
 * @param apiKey the profile's API key, null when absent
 */
public record Profile(String baseUrl, String apiKey) {
    /** The file name {@code axme login} writes in the config directory. */
    public static final String FILE = "config.json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** @return the AXME config directory of this machine and user */
    public static Path configDir() {
        return configDir(System.getenv(), System.getProperty("os.name", ""), System.getProperty("user.home", ""));
    }

    /** @return where {@code axme login} saves the profile */
    public static Path path() {
        return configDir().resolve(FILE);
    }

    static Path configDir(Map<String, String> env, String osName, String home) {
        String override = nonBlank(env.get("AXME_CONFIG_DIR"));
        if (override != null) {
            return override.equals("~") || override.startsWith("~/") ? Path.of(home, override.substring(1)) : Path.of(override);
        }
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("windows")) {
            String appData = nonBlank(env.get("APPDATA"));
            return appData != null ? Path.of(appData, "axme") : Path.of(home, "AppData", "Roaming", "axme");
        }
        if (os.startsWith("mac")) {
            return Path.of(home, "Library", "Application Support", "axme");
        }
        String xdg = nonBlank(env.get("XDG_CONFIG_HOME"));
        return xdg != null ? Path.of(xdg, "axme") : Path.of(home, ".config", "axme");
    }

    /**
     * @param file the profile file
     * @return its values; both null when there is no file
     * @throws IllegalArgumentException naming the file when it exists but cannot be used
     */
    static Profile read(Path file) {
        JsonNode data;
        try {
            data = MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException missing) {
            return new Profile(null, null);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the AXME profile " + file + ": " + e.getMessage(), e);
        }
        if (data == null || !data.isObject()) {
            throw new IllegalArgumentException("the AXME profile " + file + " must contain a JSON object");
        }
        return new Profile(member(data, "base_url", file), member(data, "api_key", file));
    }

    private static String member(JsonNode data, String name, Path file) {
        JsonNode value = data.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("the AXME profile " + file + ": " + name + " must be a string");
        }
        return nonBlank(value.asText());
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
