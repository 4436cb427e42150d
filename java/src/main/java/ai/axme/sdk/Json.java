package ai.axme.sdk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.Map;

/** The SDK's Jackson configuration and the few JSON helpers the hand-written layer needs. */
final class Json {
    static final TypeReference<Map<String, Object>> MAP_TYPE = new TypeReference<>() { };

    private Json() {
    }

    /** RFC 3339 with exactly three fraction digits and Z for UTC, as the server writes (REQ-API-003). */
    private static final DateTimeFormatter MILLIS = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss.SSS").appendOffset("+HH:MM", "Z").toFormatter();

    /**
     * JavaTimeModule trims trailing fraction zeros ("…:51.2Z" for "…:51.200Z"), so a timestamp read
     * from the server came back in another form; whole milliseconds keep the server's form, finer
     * values keep every digit.
     */
    private static final class OffsetDateTimeSerializer extends StdSerializer<OffsetDateTime> {
        private static final long serialVersionUID = 1L;

        OffsetDateTimeSerializer() {
            super(OffsetDateTime.class);
        }

        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(value.getNano() % 1_000_000 == 0
                    ? MILLIS.format(value) : DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value));
        }
    }

    static ObjectMapper newMapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(new JavaTimeModule());
        mapper.registerModule(new SimpleModule("axme-timestamps")
                .addSerializer(OffsetDateTime.class, new OffsetDateTimeSerializer()));
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        // Unset model fields are left out, not sent as null; but Map entries (payloads, results, decision
        // data, at any depth) keep their explicit nulls: contents reach the wire exactly as given
        // (REQ-CLIENT-005). setSerializationInclusion(NON_NULL) would also drop null Map entries.
        mapper.setDefaultPropertyInclusion(
                JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));
        mapper.disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
        // New server fields must not break old clients.
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        return mapper;
    }

    /** Parses an SSE data payload; anything that is not a JSON object is a protocol violation. */
    static JsonNode parse(ObjectMapper mapper, String data) {
        try {
            JsonNode node = mapper.readTree(data);
            if (node == null || !node.isObject()) {
                throw new StreamException("event data is not a JSON object: " + abbreviate(data), null);
            }
            return node;
        } catch (IOException e) {
            throw new StreamException("event data is not valid JSON: " + abbreviate(data), e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
