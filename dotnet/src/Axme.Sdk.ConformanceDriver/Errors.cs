using System;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>Maps SDK exceptions onto the protocol's error types.</summary>
    internal static class Errors
    {
        public static JObject From(Exception e)
        {
            var aggregate = e as AggregateException;
            if (aggregate != null && aggregate.InnerExceptions.Count == 1) e = aggregate.InnerException;
            var api = e as AxmeApiException;
            if (api != null) return FromResponse(ApiType(api), api.Message, api.Status, api.Code, api.Retryable, api.RetryAfter, api.RequestId);
            var timeout408 = e as RequestTimeoutException;
            if (timeout408 != null)
            {
                return FromResponse("Timeout", e.Message, timeout408.Status, timeout408.Code, timeout408.Retryable, timeout408.RetryAfter,
                    timeout408.Info.RequestId);
            }
            if (e is AxmeTimeoutException) return Describe("Timeout", e.Message);
            if (e is AxmeConnectionException) return Describe("Connection", e.Message);
            if (e is WaitTimeoutException) return Describe("WaitTimeout", e.Message);
            if (e is StreamException) return Describe("Stream", e.Message);
            if (e is OperationCanceledException) return Describe("Canceled", e.Message);
            if (e is ArgumentException) return Describe("Validation", e.Message);
            if (e is UnsupportedMethodException) return Describe("Unsupported", e.Message);
            if (e is ConfigurationRefusedException) return Describe("Configuration", e.Message);
            return Describe("DriverError", e.GetType().Name + ": " + e.Message);
        }

        private static JObject FromResponse(string type, string message, int status, string code, bool retryable, TimeSpan? retryAfter,
            string requestId)
        {
            JObject error = Describe(type, message);
            error["status"] = status;
            error["code"] = code;
            error["retryable"] = retryable;
            error["retry_after"] = retryAfter.HasValue ? (JToken)retryAfter.Value.TotalSeconds : JValue.CreateNull();
            error["request_id"] = requestId;
            return error;
        }

        public static JObject Describe(string type, string message)
        {
            return new JObject
            {
                { "type", type }, { "status", null }, { "code", null }, { "retryable", null }, { "message", message },
            };
        }

        private static string ApiType(AxmeApiException e)
        {
            if (e is BadRequestException) return "BadRequest";
            if (e is AuthenticationException) return "Authentication";
            if (e is PermissionDeniedException) return "PermissionDenied";
            if (e is NotFoundException) return "NotFound";
            if (e is ConflictException) return "Conflict";
            if (e is ValidationException) return "Validation";
            if (e is RateLimitException) return "RateLimit";
            if (e is ServerException) return "Server";
            return "DriverError";
        }
    }
}
