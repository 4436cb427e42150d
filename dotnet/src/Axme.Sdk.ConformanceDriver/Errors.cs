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
            if (api != null)
            {
                var error = Describe(ApiType(api), api.Message);
                error["status"] = api.Status;
                error["code"] = api.Code;
                error["retryable"] = api.Retryable;
                error["request_id"] = api.RequestId;
                if (api.RetryAfter.HasValue) error["retry_after"] = api.RetryAfter.Value.TotalSeconds;
                return error;
            }
            if (e is AxmeTimeoutException) return Describe("Timeout", e.Message);
            if (e is AxmeConnectionException) return Describe("Connection", e.Message);
            if (e is WaitTimeoutException) return Describe("WaitTimeout", e.Message);
            if (e is StreamException) return Describe("Stream", e.Message);
            if (e is OperationCanceledException) return Describe("Canceled", e.Message);
            if (e is ArgumentException) return Describe("Validation", e.Message);
            if (e is UnsupportedMethodException) return Describe("Unsupported", e.Message);
            return Describe("DriverError", e.GetType().Name + ": " + e.Message);
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

    internal sealed class UnsupportedMethodException : Exception
    {
        public UnsupportedMethodException(string method) : base("the .NET SDK has no method for '" + method + "'") { }
    }
}
