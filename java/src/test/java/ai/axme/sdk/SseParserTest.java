package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared vectors of conformance/vectors/sse.json, plus incremental delivery. */
class SseParserTest {
    static Stream<Arguments> vectors() throws IOException {
        Path file = TestPaths.repoRoot().resolve("conformance/vectors/sse.json");
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        List<Arguments> out = new ArrayList<>();
        root.path("vectors").forEach(v -> out.add(Arguments.of(v.path("name").asText(), v)));
        assertTrue(out.size() >= 20, "expected the shared vectors, found " + out.size());
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void matchesSharedVector(String name, JsonNode vector) throws IOException {
        byte[] input = vector.path("input").asText().getBytes(StandardCharsets.UTF_8);
        SseParser parser = new SseParser(new ByteArrayInputStream(input));
        List<SseEvent> events = new ArrayList<>();
        SseEvent event;
        while ((event = parser.next()) != null) {
            events.add(event);
        }
        JsonNode expected = vector.path("events");
        assertEquals(expected.size(), events.size(), name + ": event count");
        for (int i = 0; i < events.size(); i++) {
            JsonNode want = expected.get(i);
            assertEquals(want.path("id").isNull() ? null : want.path("id").asText(), events.get(i).id(), name + " id");
            assertEquals(want.path("event").asText(), events.get(i).event(), name + " event");
            assertEquals(want.path("data").asText(), events.get(i).data(), name + " data");
        }
        JsonNode retry = vector.path("retry_ms");
        assertEquals(retry.isNull() ? null : retry.asLong(), parser.retryMs(), name + " retry_ms");
    }

    @Test
    void yieldsEachEventBeforeTheStreamEnds() throws Exception {
        PipedOutputStream server = new PipedOutputStream();
        SseParser parser = new SseParser(new PipedInputStream(server, 1024));
        server.write("id: 1\ndata: first\n\n".getBytes(StandardCharsets.UTF_8));
        server.flush();
        SseEvent first = parser.next(); // must not wait for more bytes or for the end
        assertNotNull(first);
        assertEquals("first", first.data());
        server.write("data: second\r".getBytes(StandardCharsets.UTF_8));
        server.write("\r".getBytes(StandardCharsets.UTF_8)); // CR-only blank line dispatches without lookahead
        server.flush();
        assertEquals("second", parser.next().data());
        server.close();
        assertNull(parser.next());
    }
}
