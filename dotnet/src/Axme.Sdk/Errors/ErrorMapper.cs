using System;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>Turns a non-2xx response into the matching <see cref="AxmeApiException"/> subclass.</summary>
    internal static class ErrorMapper
    {
        public static AxmeApiException FromResponse(int status, string bodyText, string requestId, string traceId, TimeSpan? retryAfter)
        {
            var info = new ApiErrorInfo
            {
                Status = status,
                RequestId = requestId,
                TraceId = traceId,
                RetryAfter = retryAfter,
                Retryable = IsRetryableStatus(status),
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
            if (info.Code == null)
            {
                info.Code = DefaultCode(status);
            }
            if (string.IsNullOrEmpty(info.Message))
            {
                string detail = body == null ? null : AxmeJson.GetString(body, "detail");
                info.Message = !string.IsNullOrEmpty(detail) ? detail : DescribeRawBody(status, bodyText);
            }
            return Create(info);
        }

        public static AxmeApiException Create(ApiErrorInfo info)
        {
            int s = info.Status;
            if (s == 401) return new AuthenticationException(info);
            if (s == 403) return new PermissionDeniedException(info);
            if (s == 404) return new NotFoundException(info);
            if (s == 409) return new ConflictException(info);
            if (s == 422) return new ValidationException(info);
            if (s == 429) return new RateLimitException(info);
            if (s >= 500) return new ServerException(info);
            return new BadRequestException(info);
        }

        /// <summary>SDK-CONVENTIONS: retry on 408, 429 and every 5xx.</summary>
        public static bool IsRetryableStatus(int status)
        {
            return status == 408 || status == 429 || status >= 500;
        }

        private static string DefaultCode(int status)
        {
            if (status == 400) return "bad_request";
            if (status == 401) return "unauthorized";
            if (status == 403) return "forbidden";
            if (status == 404) return "not_found";
            if (status == 405) return "method_not_allowed";
            if (status == 409) return "conflict";
            if (status == 413) return "payload_too_large";
            if (status == 422) return "validation_error";
            if (status == 429) return "rate_limited";
            if (status == 503) return "unavailable";
            if (status >= 500) return "internal_error";
            return "http_" + status;
        }

        private static string DescribeRawBody(int status, string bodyText)
        {
            string text = (bodyText ?? "").Trim();
            if (text.Length > 200) text = text.Substring(0, 200) + "…";
            return text.Length == 0 ? string.Format("HTTP {0}", status) : string.Format("HTTP {0}: {1}", status, text);
        }
    }
}
