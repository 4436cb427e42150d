package ai.axme.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;

/**
 * The transport: builds requests with the SDK headers, retries what is worth retrying, maps
 * errors. Interrupting the calling thread cancels the call; nothing is retried after that.
 */
final class Transport {
    private static final System.Logger LOG = System.getLogger("ai.axme.sdk");

    private final ClientSettings settings;
    private final HttpClient http;
    private final ObjectMapper mapper;
    private final ErrorMapper errors;

    Transport(ClientSettings settings, HttpClient http, ObjectMapper mapper) {
        this.settings = settings;
        this.http = http;
        this.mapper = mapper;
        this.errors = new ErrorMapper(mapper, Clock.systemUTC());
    }

    ClientSettings settings() {
        return settings;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** Sends the request (retrying per policy) and returns the 2xx response with its parsed JSON body. */
    RawResponse call(ApiRequest request) {
        byte[] body = serialize(request.body);
        // One key per logical call, generated before the first attempt and reused on every retry.
        String idempotencyKey = request.isPost()
                ? (request.idempotencyKey != null ? request.idempotencyKey : UUID.randomUUID().toString())
                : null;
        String traceId = request.headers.getOrDefault("X-Trace-Id", UUID.randomUUID().toString());
        RetryPolicy policy = settings.retryPolicy();
        for (int attempt = 0; ; attempt++) {
            ensureNotCancelled();
            AxmeException failure;
            Duration retryAfter = null;
            try {
                HttpRequest http = build(request, body, idempotencyKey, traceId, true);
                HttpResponse<byte[]> response = this.http.send(http, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                logAttempt(request, status, attempt + 1, response, traceId);
                if (status >= 200 && status < 300) {
                    return new RawResponse(status, response.headers().map(), parse(response.body(), request),
                            traceId, mapper);
                }
                AxmeException apiError = errors.toException(status, response.headers(), response.body(), traceId);
                if (!RetryPolicy.isRetryableStatus(status)) {
                    throw apiError;
                }
                failure = apiError;
                retryAfter = ErrorMapper.infoOf(apiError).retryAfter();
            } catch (HttpTimeoutException timeout) {
                failure = new AxmeTimeoutException(tried(request) + " timed out after " + settings.timeout(), timeout);
            } catch (IOException io) {
                failure = new AxmeConnectionException(tried(request) + " failed: " + io, io);
            } catch (InterruptedException interrupted) {
                throw cancelled(request);
            }
            if (attempt >= policy.maxRetries()) {
                throw failure;
            }
            Duration delay = policy.delayBeforeRetry(attempt, retryAfter);
            if (delay == null) {
                throw failure; // Retry-After beyond the cap: the caller decides, not us.
            }
            int attemptNumber = attempt + 1;
            AxmeException lastFailure = failure;
            LOG.log(Level.DEBUG, () -> describe(request) + " attempt " + attemptNumber + " failed ("
                    + lastFailure.getMessage()
                    + "), retrying in " + delay.toMillis() + " ms");
            sleep(delay, request);
        }
    }

    /**
     * Opens a streaming GET (one attempt, no per-request timeout: streams use an idle timeout).
     * A non-2xx answer is read and thrown as the matching {@link AxmeApiException} (408: {@link RequestTimeoutException}).
     */
    HttpResponse<InputStream> openStream(ApiRequest request) {
        ensureNotCancelled();
        String traceId = request.headers.getOrDefault("X-Trace-Id", UUID.randomUUID().toString());
        HttpRequest http = build(request, null, null, traceId, false);
        try {
            HttpResponse<InputStream> response = this.http.send(http, HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            logAttempt(request, status, 1, response, traceId);
            if (status >= 200 && status < 300) {
                return response;
            }
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(1 << 20);
            }
            throw errors.toException(status, response.headers(), body, traceId);
        } catch (HttpTimeoutException timeout) {
            throw new AxmeTimeoutException(tried(request) + " timed out connecting", timeout);
        } catch (IOException io) {
            throw new AxmeConnectionException(tried(request) + " failed: " + io, io);
        } catch (InterruptedException interrupted) {
            throw cancelled(request);
        }
    }

    private HttpRequest build(ApiRequest request, byte[] body, String idempotencyKey, String traceId,
            boolean withTimeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(settings.baseUrl() + request.pathAndQuery()))
                .header("User-Agent", Version.USER_AGENT)
                .header("X-Axme-Client", Version.CLIENT_HEADER)
                .header("X-Trace-Id", traceId)
                .header("Accept", withTimeout ? "application/json" : "text/event-stream");
        if (settings.apiKey() != null && !"/health".equals(request.path)) {
            builder.header("x-api-key", settings.apiKey());
        }
        request.headers.forEach((name, value) -> {
            if (!"X-Trace-Id".equals(name)) {
                builder.header(name, value);
            }
        });
        if (idempotencyKey != null) {
            builder.header("Idempotency-Key", idempotencyKey);
        }
        if (withTimeout) {
            builder.timeout(settings.timeout());
        }
        if (body != null) {
            builder.header("Content-Type", "application/json");
            builder.method(request.method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            builder.method(request.method, request.isPost()
                    ? HttpRequest.BodyPublishers.ofString("{}")
                    : HttpRequest.BodyPublishers.noBody());
            if (request.isPost()) {
                builder.header("Content-Type", "application/json");
            }
        }
        return builder.build();
    }

    private byte[] serialize(Object body) {
        if (body == null) {
            return null;
        }
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request body cannot be serialized to JSON: " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode parse(byte[] body, ApiRequest request) {
        try {
            JsonNode node = mapper.readTree(body);
            return node == null ? mapper.createObjectNode() : node;
        } catch (IOException e) {
            throw new AxmeException(describe(request) + " returned a body that is not JSON", e);
        }
    }

    static void ensureNotCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("interrupted before the request was sent");
        }
    }

    private static CancellationException cancelled(ApiRequest request) {
        Thread.currentThread().interrupt();
        return new CancellationException(describe(request) + " cancelled by interrupt");
    }

    private static void sleep(Duration delay, ApiRequest request) {
        Sleeper.sleep(delay, "waiting to retry " + describe(request));
    }

    /** One DEBUG line per HTTP attempt: method, path, status, attempt, request id, trace id (never keys or bodies). */
    private static void logAttempt(ApiRequest request, int status, int attempt, HttpResponse<?> response,
            String traceId) {
        LOG.log(Level.DEBUG, () -> describe(request) + " -> " + status + " (attempt " + attempt + ", request "
                + response.headers().firstValue("X-Request-Id").orElse("-") + ", trace " + traceId + ")");
    }

    private static String describe(ApiRequest request) {
        return request.method + " " + request.path;
    }

    /** The method and full URL of a failed attempt: a wrong or defaulted base URL shows (REQ-CLIENT-009). */
    private String tried(ApiRequest request) {
        return request.method + " " + settings.baseUrl() + request.path;
    }
}
