package ai.axme.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

/** Timestamps leave the SDK in the server's form (REQ-API-003): three fraction digits, Z for UTC. */
class JsonTimestampsTest {
    private final ObjectMapper mapper = Json.newMapper();

    private String write(String timestamp) throws Exception {
        return mapper.writeValueAsString(OffsetDateTime.parse(timestamp));
    }

    @Test
    void wholeMillisecondsKeepThreeDigits() throws Exception {
        assertEquals("\"2026-12-06T06:00:51.200Z\"", write("2026-12-06T06:00:51.200Z"));
        assertEquals("\"2026-12-06T06:00:51.000Z\"", write("2026-12-06T06:00:51Z"));
        assertEquals("\"2026-12-06T06:00:51.120+02:00\"", write("2026-12-06T06:00:51.12+02:00"));
    }

    @Test
    void finerValuesKeepEveryDigit() throws Exception {
        assertEquals("\"2026-12-06T06:00:51.1234Z\"", write("2026-12-06T06:00:51.1234Z"));
    }
}
