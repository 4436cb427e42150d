package ai.axme.conformance;

import ai.axme.sdk.ApiErrorInfo;
import ai.axme.sdk.AuthenticationException;
import ai.axme.sdk.AxmeApiException;
import ai.axme.sdk.AxmeConnectionException;
import ai.axme.sdk.AxmeTimeoutException;
import ai.axme.sdk.BadRequestException;
import ai.axme.sdk.ConflictException;
import ai.axme.sdk.NotFoundException;
import ai.axme.sdk.PermissionDeniedException;
import ai.axme.sdk.RateLimitException;
import ai.axme.sdk.RequestTimeoutException;
import ai.axme.sdk.ServerException;
import ai.axme.sdk.StreamException;
import ai.axme.sdk.ValidationException;
import ai.axme.sdk.WaitTimeoutException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps the SDK's exceptions onto the protocol's error types (driver-protocol.md "Errors"). */
final class ErrorReport {
    private ErrorReport() {
    }

    static ObjectNode of(Throwable failure, ObjectMapper mapper) {
        Throwable error = unwrap(failure);
        ObjectNode out = mapper.createObjectNode();
        out.put("type", typeOf(error));
        out.put("message", String.valueOf(error.getMessage()));
        ApiErrorInfo api = error instanceof AxmeApiException ? ((AxmeApiException) error).info()
                : error instanceof RequestTimeoutException ? ((RequestTimeoutException) error).info() : null;
        if (api != null) {
            // The SDK error's own message, never getMessage()'s "status code: message" (driver-protocol.md).
            out.put("message", api.message());
            out.put("status", api.status());
            out.put("code", api.code());
            out.put("retryable", api.retryable());
            out.put("request_id", api.requestId());
            if (api.retryAfter() != null) {
                out.put("retry_after", api.retryAfter().toMillis() / 1000.0);
            }
        } else {
            out.putNull("status");
            out.putNull("code");
            out.putNull("retryable");
        }
        return out;
    }

    static String typeOf(Throwable error) {
        if (error instanceof ConfigurationRefused) {
            return "Configuration";
        } else if (error instanceof BadRequestException) {
            return "BadRequest";
        } else if (error instanceof AuthenticationException) {
            return "Authentication";
        } else if (error instanceof PermissionDeniedException) {
            return "PermissionDenied";
        } else if (error instanceof NotFoundException) {
            return "NotFound";
        } else if (error instanceof ConflictException) {
            return "Conflict";
        } else if (error instanceof ValidationException || error instanceof IllegalArgumentException) {
            return "Validation";
        } else if (error instanceof RateLimitException) {
            return "RateLimit";
        } else if (error instanceof ServerException) {
            return "Server";
        } else if (error instanceof AxmeTimeoutException) {
            return "Timeout";
        } else if (error instanceof AxmeConnectionException) {
            return "Connection";
        } else if (error instanceof WaitTimeoutException) {
            return "WaitTimeout";
        } else if (error instanceof StreamException) {
            return "Stream";
        } else if (error instanceof CancellationException || error instanceof InterruptedException) {
            return "Canceled";
        } else if (error instanceof UnsupportedOperationException) {
            return "Unsupported";
        }
        return "DriverError";
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable error = failure;
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }
}
