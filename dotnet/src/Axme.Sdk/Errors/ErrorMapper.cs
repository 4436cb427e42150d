using System;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>Turns a non-2xx response into the matching <see cref="AxmeApiException"/> subclass.</summary>
    internal static class ErrorMapper
    {
        public static AxmeException FromResponse(int status, string bodyText, string requestId, string traceId, TimeSpan? retryAfter)
        {
            var info = new ApiErrorInfo
            {
                Status = status,
                RequestId = requestId,
                TraceId = traceId,
                RetryAfter = retryAfter,
                Retryable = IsRetryableByDefault(status),
            };
            JObject body = AxmeJson.TryParseObject(bodyText);
            info.Body = body;
            JObject error = body == null ? null : body["error"] as JObject;
            if (error != null)
            {
                info.Code = AxmeJson.GetString(error, "code");
                info.Message = AxmeJson.GetString(error, "message");
                info.Category = AxmeJson.GetString(error, "category");
                info.Details = error["details"];
                var retryable = error["retryable"];
                if (retryable != null && retryable.Type == JTokenType.Boolean)
                {
                    info.Retryable = retryable.Value<bool>();
                }
            }
            if (error == null)
            {
                // Not an envelope (a proxy's HTML page, …): REQ-ERR-013.
                info.Code = "http_" + status;
                string text = bodyText ?? "";
                info.Message = text.Length == 0 ? "HTTP " + status : (text.Length > 200 ? text.Substring(0, 200) : text);
                return Create(info);
            }
            if (info.Code == null) info.Code = "http_" + status;
            if (string.IsNullOrEmpty(info.Message))
            {
                string detail = AxmeJson.GetString(body, "detail");
                info.Message = !string.IsNullOrEmpty(detail) ? detail : "HTTP " + status;
            }
            return Create(info);
        }

        /// <summary>REQ-ERR-012: the exception type for a status (408 is a timeout, not an API error).</summary>
        public static AxmeException Create(ApiErrorInfo info)
        {
            int s = info.Status;
            if (s == 408) return new RequestTimeoutException(info);
            if (s == 401) return new AuthenticationException(info);
            if (s == 403) return new PermissionDeniedException(info);
            if (s == 404) return new NotFoundException(info);
            if (s == 409) return new ConflictException(info);
            if (s == 422) return new ValidationException(info);
            if (s == 429) return new RateLimitException(info);
            if (s >= 500) return new ServerException(info);
            return new BadRequestException(info);
        }

        /// <summary>REQ-RETRY-002: the statuses worth another attempt.</summary>
        public static bool IsRetryableStatus(int status)
        {
            return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
        }

        /// <summary>REQ-ERR-004: <c>retryable</c> when the envelope does not say: 408, 429 and 5xx.</summary>
        public static bool IsRetryableByDefault(int status)
        {
            return status == 408 || status == 429 || status >= 500;
        }

        /// <summary>The API fields of an exception that came from an HTTP response, else null.</summary>
        public static ApiErrorInfo InfoOf(Exception error)
        {
            var api = error as AxmeApiException;
            if (api != null) return api.Info;
            var timeout = error as RequestTimeoutException;
            return timeout == null ? null : timeout.Info;
        }
    }
}
