using System;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>The server answered with a non-2xx status and (usually) the AXP error envelope.</summary>
    public class AxmeApiException : AxmeException
    {
        public AxmeApiException(ApiErrorInfo info) : base(info.Message)
        {
            Info = info;
            Status = info.Status;
            Code = info.Code;
            Category = info.Category;
            Retryable = info.Retryable;
            RequestId = info.RequestId;
            TraceId = info.TraceId;
            RetryAfter = info.RetryAfter;
            Body = info.Body;
            Details = info.Details;
        }

        internal ApiErrorInfo Info { get; private set; }

        /// <summary>HTTP status code.</summary>
        public int Status { get; private set; }
        /// <summary>Stable error code from the envelope, e.g. <c>intent_not_found</c>.</summary>
        public string Code { get; private set; }
        public string Category { get; private set; }
        public bool Retryable { get; private set; }
        /// <summary>Server's <c>X-Request-Id</c>.</summary>
        public string RequestId { get; private set; }
        /// <summary>The <c>X-Trace-Id</c> this SDK sent (echoed by the server).</summary>
        public string TraceId { get; private set; }
        /// <summary>Parsed <c>Retry-After</c>, when the server sent one.</summary>
        public TimeSpan? RetryAfter { get; private set; }
        /// <summary>The whole response body when it was JSON, else null.</summary>
        public JObject Body { get; private set; }
        /// <summary><c>error.details</c> from the envelope, or null.</summary>
        public JToken Details { get; private set; }
    }

    /// <summary>
    /// 408 from the server: a timeout (REQ-ERR-012), so it derives from <see cref="AxmeTimeoutException"/>
    /// and is retried like one; it still carries the response's fields.
    /// </summary>
    public class RequestTimeoutException : AxmeTimeoutException
    {
        public RequestTimeoutException(ApiErrorInfo info) : base(info.Message)
        {
            Info = info;
        }

        public ApiErrorInfo Info { get; private set; }
        public int Status { get { return Info.Status; } }
        public string Code { get { return Info.Code; } }
        public bool Retryable { get { return Info.Retryable; } }
        public TimeSpan? RetryAfter { get { return Info.RetryAfter; } }
    }

    /// <summary>400 and other 4xx without a dedicated class (405, 413, …).</summary>
    public class BadRequestException : AxmeApiException { public BadRequestException(ApiErrorInfo i) : base(i) { } }
    /// <summary>401: missing, bad, revoked or expired key.</summary>
    public class AuthenticationException : AxmeApiException { public AuthenticationException(ApiErrorInfo i) : base(i) { } }
    /// <summary>403: the key may not do this.</summary>
    public class PermissionDeniedException : AxmeApiException { public PermissionDeniedException(ApiErrorInfo i) : base(i) { } }
    /// <summary>404.</summary>
    public class NotFoundException : AxmeApiException { public NotFoundException(ApiErrorInfo i) : base(i) { } }
    /// <summary>409: idempotency conflict, terminal intent, stale delivery, invalid transition.</summary>
    public class ConflictException : AxmeApiException { public ConflictException(ApiErrorInfo i) : base(i) { } }
    /// <summary>422: schema or task validation failed.</summary>
    public class ValidationException : AxmeApiException { public ValidationException(ApiErrorInfo i) : base(i) { } }
    /// <summary>429, after retries (see <see cref="AxmeApiException.RetryAfter"/>).</summary>
    public class RateLimitException : AxmeApiException { public RateLimitException(ApiErrorInfo i) : base(i) { } }
    /// <summary>5xx, after retries.</summary>
    public class ServerException : AxmeApiException { public ServerException(ApiErrorInfo i) : base(i) { } }
}
