using System;

namespace Axme.Sdk.Http
{
    /// <summary>The resolved, immutable form of <see cref="AxmeClientConfig"/>.</summary>
    internal sealed class ClientSettings
    {
        public string ApiKey;
        public Uri BaseUri;
        public TimeSpan Timeout;
        public int MaxRetries;
        public TimeSpan RetryBaseDelay;
        public TimeSpan RetryMaxDelay;
        public TimeSpan StreamIdleTimeout;

        public static ClientSettings Resolve(AxmeClientConfig config)
        {
            config = config ?? new AxmeClientConfig();
            // Each member: given, else the environment, else the profile `axme login` saved (read only when
            // needed), else the default (REQ-CLIENT-001, REQ-CLIENT-008).
            string key = FirstNonBlank(config.ApiKey, Environment.GetEnvironmentVariable("AXME_API_KEY"));
            string baseUrl = FirstNonBlank(config.BaseUrl, Environment.GetEnvironmentVariable("AXME_BASE_URL"));
            if (key == null || baseUrl == null)
            {
                Profile profile = Profile.Read(config.ProfileFile ?? Profile.Path());
                key = key ?? profile.ApiKey;
                baseUrl = baseUrl ?? profile.BaseUrl;
            }
            if (key == null)
            {
                throw new AxmeException("no API key: set AxmeClientConfig.ApiKey or the AXME_API_KEY environment variable, "
                    + "or run `axme login` (profile: " + (config.ProfileFile ?? Profile.Path()) + ")");
            }
            baseUrl = baseUrl ?? AxmeClientConfig.DefaultBaseUrl;
            Uri baseUri;
            if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/", UriKind.Absolute, out baseUri)
                || (baseUri.Scheme != "http" && baseUri.Scheme != "https"))
            {
                throw new AxmeException("invalid base URL '" + baseUrl + "': expected an absolute http(s) URL");
            }
            var s = new ClientSettings
            {
                ApiKey = key,
                BaseUri = baseUri,
                Timeout = config.Timeout ?? TimeSpan.FromSeconds(30),
                MaxRetries = config.MaxRetries ?? 2,
                RetryBaseDelay = config.RetryBaseDelay ?? TimeSpan.FromMilliseconds(500),
                RetryMaxDelay = config.RetryMaxDelay ?? TimeSpan.FromSeconds(8),
                StreamIdleTimeout = config.StreamIdleTimeout ?? TimeSpan.FromSeconds(45),
            };
            if (s.Timeout <= TimeSpan.Zero) throw new AxmeException("Timeout must be positive");
            if (s.MaxRetries < 0) throw new AxmeException("MaxRetries must be >= 0");
            if (s.RetryBaseDelay < TimeSpan.Zero || s.RetryMaxDelay < TimeSpan.Zero) throw new AxmeException("retry delays must be >= 0");
            if (s.StreamIdleTimeout <= TimeSpan.Zero) throw new AxmeException("StreamIdleTimeout must be positive");
            return s;
        }

        private static string FirstNonBlank(string a, string b)
        {
            if (!string.IsNullOrWhiteSpace(a)) return a.Trim();
            if (!string.IsNullOrWhiteSpace(b)) return b.Trim();
            return null;
        }
    }
}
