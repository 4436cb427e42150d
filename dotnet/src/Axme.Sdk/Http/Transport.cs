using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Http
{
    /// <summary>
    /// Sends one logical call: headers, per-attempt timeout, retries with backoff, error mapping.
    /// Caller cancellation is never retried and surfaces as <see cref="OperationCanceledException"/>.
    /// </summary>
    internal sealed class Transport : IDisposable
    {
        internal static readonly TraceSource Log = new TraceSource("Axme.Sdk");

        private readonly ClientSettings _settings;
        private readonly HttpClient _http;
        private readonly bool _streamsViaWebRequest;

        public Transport(ClientSettings settings, HttpMessageHandler handler)
        {
            _settings = settings;
            if (handler == null)
            {
                var own = new HttpClientHandler { AllowAutoRedirect = false };
                RaiseConnectionLimit(own, settings.BaseUri);
                _http = new HttpClient(own, true);
            }
            else
            {
                _http = new HttpClient(handler, false);
            }
            _http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            // Mono's HttpClientHandler keeps a disposed stream's socket open, so the server would go on
            // pushing deliveries to a reader that is gone; HttpWebRequest.Abort() really closes it.
            _streamsViaWebRequest = handler == null && Type.GetType("Mono.Runtime") != null;
            Retry = new RetryPolicy(settings.RetryBaseDelay, settings.RetryMaxDelay, null);
        }

        public ClientSettings Settings { get { return _settings; } }

        public RetryPolicy Retry { get; set; }

        public Func<DateTimeOffset> Clock = () => DateTimeOffset.UtcNow;

        public async Task<JObject> SendAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>> query,
            JToken body, RequestOptions options, CancellationToken cancellationToken, bool anonymous = false)
        {
            options = options ?? new RequestOptions();
            var call = new CallHeaders
            {
                Anonymous = anonymous,
                TraceId = options.TraceId ?? NewId(),
                IdempotencyKey = options.IdempotencyKey ?? (method == HttpMethod.Post ? NewId() : null),
            };
            string bodyText = body == null ? null : AxmeJson.Serialize(body);
            int maxRetries = options.MaxRetries ?? _settings.MaxRetries;
            TimeSpan timeout = options.Timeout ?? _settings.Timeout;
            Uri uri = BuildUri(path, query);

            for (int attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TimeSpan delay;
                try
                {
                    return await SendOnceAsync(method, uri, bodyText, call, timeout, attempt + 1, cancellationToken).ConfigureAwait(false);
                }
                catch (AxmeException error)
                {
                    TimeSpan? next = RetryDelay(error, attempt, maxRetries);
                    if (!next.HasValue) throw;
                    delay = next.Value;
                    Log.TraceEvent(TraceEventType.Warning, 0, "{0} {1} attempt {2} failed ({3}); retrying in {4} ms",
                        method, uri.AbsolutePath, attempt + 1, error.Message, (long)delay.TotalMilliseconds);
                }
                // Cancellation during the pause throws here, so a canceled call is never retried.
                await Retry.Sleep(delay, cancellationToken).ConfigureAwait(false);
            }
        }

        private TimeSpan? RetryDelay(AxmeException error, int attempt, int maxRetries)
        {
            if (attempt >= maxRetries || !RetryPolicy.IsRetryable(error)) return null;
            ApiErrorInfo api = ErrorMapper.InfoOf(error);
            TimeSpan delay;
            if (api != null && api.RetryAfter.HasValue)
            {
                if (api.RetryAfter.Value > RetryPolicy.MaxRetryAfter) return null;
                delay = api.RetryAfter.Value;
            }
            else
            {
                delay = Retry.Backoff(attempt);
            }
            return delay;
        }

        private async Task<JObject> SendOnceAsync(HttpMethod method, Uri uri, string bodyText, CallHeaders call,
            TimeSpan timeout, int attempt, CancellationToken cancellationToken)
        {
            using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (HttpRequestMessage request = BuildRequest(method, uri, bodyText, call, "application/json"))
            {
                attemptCts.CancelAfter(timeout);
                HttpResponseMessage response = null;
                string text;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, attemptCts.Token).ConfigureAwait(false);
                    text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    if (response != null) response.Dispose();
                    throw Translate(e, cancellationToken, attemptCts.IsCancellationRequested, timeout, method, uri);
                }
                using (response)
                {
                    int status = (int)response.StatusCode;
                    // Never the key, headers or body (REQ-CLIENT-006).
                    Log.TraceEvent(TraceEventType.Verbose, 0, "{0} {1} -> {2} (attempt {3}, request {4}, trace {5})",
                        method, uri.AbsolutePath, status, attempt, RequestIdOf(response) ?? "-", call.TraceId);
                    if (status >= 200 && status < 300)
                    {
                        return ParseSuccessBody(text, status);
                    }
                    throw MapError(response, text, call.TraceId);
                }
            }
        }

        private static string RequestIdOf(HttpResponseMessage response)
        {
            IEnumerable<string> values;
            return response.Headers.TryGetValues("X-Request-Id", out values) ? values.FirstOrDefault() : null;
        }

        /// <summary>Opens an SSE response (one attempt; the stream owner reconnects). Caller disposes it.</summary>
        public Task<OpenStream> OpenStreamAsync(string path, IEnumerable<KeyValuePair<string, string>> query,
            string lastEventId, CancellationToken cancellationToken)
        {
            Uri uri = BuildUri(path, query);
            string traceId = NewId();
            if (_streamsViaWebRequest)
            {
                return WebRequestStreams.OpenAsync(this, uri, traceId, lastEventId, cancellationToken);
            }
            return OpenWithHttpClientAsync(uri, traceId, lastEventId, cancellationToken);
        }

        private async Task<OpenStream> OpenWithHttpClientAsync(Uri uri, string traceId, string lastEventId, CancellationToken cancellationToken)
        {
            var call = new CallHeaders { TraceId = traceId };
            using (var headersCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (HttpRequestMessage request = BuildRequest(HttpMethod.Get, uri, null, call, "text/event-stream"))
            {
                if (!string.IsNullOrEmpty(lastEventId))
                {
                    request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
                }
                request.Headers.ConnectionClose = true;
                headersCts.CancelAfter(_settings.Timeout);
                HttpResponseMessage response = null;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersCts.Token).ConfigureAwait(false);
                    int status = (int)response.StatusCode;
                    Log.TraceEvent(TraceEventType.Verbose, 0, "GET {0} (stream) -> {1}", uri.AbsolutePath, status);
                    if (status >= 200 && status < 300)
                    {
                        System.IO.Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                        return new OpenStream(body, response.Dispose);
                    }
                    string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    throw MapError(response, text, call.TraceId);
                }
                catch (Exception e) when (!(e is AxmeException))
                {
                    if (response != null) response.Dispose();
                    throw Translate(e, cancellationToken, headersCts.IsCancellationRequested, _settings.Timeout, HttpMethod.Get, uri);
                }
                catch (AxmeException)
                {
                    if (response != null) response.Dispose();
                    throw;
                }
            }
        }

        /// <summary>The headers every request carries (also used by the WebRequest stream path).</summary>
        internal IEnumerable<KeyValuePair<string, string>> CommonHeaders(string traceId)
        {
            yield return new KeyValuePair<string, string>("x-api-key", _settings.ApiKey);
            yield return new KeyValuePair<string, string>("X-Axme-Client", SdkInfo.ClientId);
            yield return new KeyValuePair<string, string>("X-Trace-Id", traceId);
        }

        private HttpRequestMessage BuildRequest(HttpMethod method, Uri uri, string bodyText, CallHeaders call, string accept)
        {
            var request = new HttpRequestMessage(method, uri);
            foreach (var header in CommonHeaders(call.TraceId))
            {
                if (call.Anonymous && header.Key == "x-api-key") continue;
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            request.Headers.TryAddWithoutValidation("User-Agent", SdkInfo.ClientId);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (call.IdempotencyKey != null)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", call.IdempotencyKey);
            }
            if (bodyText != null)
            {
                request.Content = new StringContent(bodyText, new UTF8Encoding(false), "application/json");
            }
            return request;
        }

        internal AxmeException MapError(int status, string text, string requestId, string retryAfter, string traceId)
        {
            return ErrorMapper.FromResponse(status, text, requestId, traceId, RetryPolicy.ParseRetryAfter(retryAfter, Clock()));
        }

        private AxmeException MapError(HttpResponseMessage response, string text, string traceId)
        {
            string retryAfter = HeaderValue(response, "Retry-After");
            return ErrorMapper.FromResponse((int)response.StatusCode, text, HeaderValue(response, "X-Request-Id"), traceId,
                RetryPolicy.ParseRetryAfter(retryAfter, Clock()));
        }

        private static JObject ParseSuccessBody(string text, int status)
        {
            if (string.IsNullOrWhiteSpace(text)) return new JObject();
            try
            {
                var obj = AxmeJson.Parse(text) as JObject;
                if (obj != null) return obj;
            }
            catch (JsonException)
            {
            }
            throw new AxmeException(string.Format("HTTP {0} response is not a JSON object: {1}", status,
                text.Length > 200 ? text.Substring(0, 200) + "…" : text));
        }

        /// <summary>Maps transport failures: caller cancel stays a cancel; our timeout becomes AxmeTimeoutException.</summary>
        internal static Exception Translate(Exception e, CancellationToken callerToken, bool attemptTimedOut, TimeSpan timeout,
            HttpMethod method, Uri uri)
        {
            if (callerToken.IsCancellationRequested)
            {
                return new OperationCanceledException("the call was canceled", e, callerToken);
            }
            string what = method + " " + uri.GetLeftPart(UriPartial.Path); // the URL tried (REQ-CLIENT-009)
            if (e is OperationCanceledException && attemptTimedOut)
            {
                return new AxmeTimeoutException(string.Format("{0} timed out after {1:0.###} s", what, timeout.TotalSeconds), e);
            }
            if (e is HttpRequestException || e is IOException || e is WebException || e is SocketException
                || e is OperationCanceledException)
            {
                return new AxmeConnectionException(what + " failed: " + Innermost(e).Message, e);
            }
            return e;
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }

        internal static string HeaderValue(HttpResponseMessage response, string name)
        {
            IEnumerable<string> values;
            if (response.Headers.TryGetValues(name, out values)) return values.FirstOrDefault();
            if (response.Content != null && response.Content.Headers.TryGetValues(name, out values)) return values.FirstOrDefault();
            return null;
        }

        internal Uri BuildUri(string path, IEnumerable<KeyValuePair<string, string>> query)
        {
            var sb = new StringBuilder(path.TrimStart('/'));
            if (query != null)
            {
                char sep = '?';
                foreach (var kv in query)
                {
                    if (kv.Value == null) continue;
                    sb.Append(sep).Append(Uri.EscapeDataString(kv.Key)).Append('=').Append(Uri.EscapeDataString(kv.Value));
                    sep = '&';
                }
            }
            return new Uri(_settings.BaseUri, sb.ToString());
        }

        /// <summary>Percent-encodes one path segment (an agent address becomes a single segment).</summary>
        internal static string Segment(string value)
        {
            if (string.IsNullOrEmpty(value)) throw new ArgumentException("path parameter must not be empty");
            return Uri.EscapeDataString(value);
        }

        internal static string NewId()
        {
            return Guid.NewGuid().ToString();
        }

        private static void RaiseConnectionLimit(HttpClientHandler handler, Uri baseUri)
        {
            // .NET Framework/Mono default to 2 connections per host; long-lived streams would starve calls.
            try
            {
                handler.MaxConnectionsPerServer = 256;
            }
            catch (PlatformNotSupportedException)
            {
            }
            catch (NotImplementedException)
            {
            }
            try
            {
                ServicePointManager.FindServicePoint(baseUri).ConnectionLimit = 256;
            }
            catch (Exception)
            {
                // Not every runtime has service points; the handler setting above covers those.
            }
        }

        public void Dispose()
        {
            _http.Dispose();
        }

        private sealed class CallHeaders
        {
            public string TraceId;
            public string IdempotencyKey;
            /// <summary>No x-api-key (getHealth, REQ-CLIENT-002).</summary>
            public bool Anonymous;
        }
    }
}
