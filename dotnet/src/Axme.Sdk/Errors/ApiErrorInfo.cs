using System;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>Everything known about one failed HTTP exchange; the payload of <see cref="AxmeApiException"/>.</summary>
    public sealed class ApiErrorInfo
    {
        public int Status { get; set; }
        public string Code { get; set; }
        public string Category { get; set; }
        public bool Retryable { get; set; }
        public string Message { get; set; }
        public string RequestId { get; set; }
        public string TraceId { get; set; }
        public TimeSpan? RetryAfter { get; set; }
        public JObject Body { get; set; }
        public JToken Details { get; set; }
    }
}
