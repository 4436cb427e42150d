using System;
using System.Net.Http;

namespace Axme.Sdk
{
    /// <summary>
    /// Client configuration. Every property is optional: <see cref="ApiKey"/> falls back to
    /// <c>AXME_API_KEY</c>, <see cref="BaseUrl"/> to <c>AXME_BASE_URL</c>; then both to the profile
    /// <c>axme login</c> saved (<see cref="Profile.Path"/>), and the base URL finally to the public default.
    /// </summary>
    public sealed class AxmeClientConfig
    {
        public const string DefaultBaseUrl = "https://api.cloud.axme.ai";

        /// <summary>API key sent as <c>x-api-key</c>; never logged.</summary>
        public string ApiKey { get; set; }

        /// <summary>Server root, e.g. <c>http://127.0.0.1:8787</c> (no <c>/v1</c>).</summary>
        public string BaseUrl { get; set; }

        /// <summary>Per-attempt timeout for ordinary requests (default 30 s). Streams use <see cref="StreamIdleTimeout"/>.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Retries after the first attempt on connection errors, 408, 429 and 5xx (default 2).</summary>
        public int? MaxRetries { get; set; }

        /// <summary>First backoff delay, doubled per retry (default 0.5 s; tests use a few ms).</summary>
        public TimeSpan? RetryBaseDelay { get; set; }

        /// <summary>Backoff cap (default 8 s).</summary>
        public TimeSpan? RetryMaxDelay { get; set; }

        /// <summary>A stream with no bytes (not even a keepalive) for this long is reconnected (default 45 s).</summary>
        public TimeSpan? StreamIdleTimeout { get; set; }

        /// <summary>Custom transport (tests, proxies). The client does not dispose a handler you pass.</summary>
        public HttpMessageHandler HttpMessageHandler { get; set; }

        /// <summary>The profile file (default <see cref="Profile.Path"/>); tests point it elsewhere.</summary>
        internal string ProfileFile { get; set; }
    }
}
