package ai.axme.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Protocol lines on stdout: one JSON object per line, flushed at once, never interleaved. */
final class DriverOutput {
    private final ObjectMapper mapper;
    private final OutputStream out;

    DriverOutput(ObjectMapper mapper, OutputStream out) {
        this.mapper = mapper;
        this.out = out;
    }

    void ok(long id, JsonNode result) {
        ObjectNode line = line(id);
        line.put("ok", true);
        line.set("result", result);
        write(line);
    }

    void error(long id, ObjectNode error) {
        ObjectNode line = line(id);
        line.put("ok", false);
        line.set("error", error);
        write(line);
    }

    void item(long id, String kind, JsonNode body) {
        ObjectNode line = line(id);
        line.set(kind, body);
        write(line);
    }

    void done(long id) {
        ObjectNode line = line(id);
        line.put("done", true);
        write(line);
    }

    private ObjectNode line(long id) {
        ObjectNode line = mapper.createObjectNode();
        line.put("id", id);
        return line;
    }

    private synchronized void write(ObjectNode line) {
        try {
            out.write(mapper.writeValueAsBytes(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
