using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Tests.Support
{
    /// <summary>A scripted HttpMessageHandler: answers requests in order and records them.</summary>
    public sealed class FakeHandler : HttpMessageHandler
    {
        private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script =
            new Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>>();

        public readonly List<RecordedRequest> Requests = new List<RecordedRequest>();

        /// <summary>Used when the script is empty.</summary>
        public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Fallback;

        public FakeHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step)
        {
            lock (_script) _script.Enqueue(step);
            return this;
        }

        public FakeHandler ThenJson(int status, string body, params KeyValuePair<string, string>[] headers)
        {
            return Then((r, ct) => Task.FromResult(Json(status, body, headers)));
        }

        public FakeHandler ThenThrow(Exception e)
        {
            return Then((r, ct) => { throw e; });
        }

        public static HttpResponseMessage Json(int status, string body, params KeyValuePair<string, string>[] headers)
        {
            var response = new HttpResponseMessage((HttpStatusCode)status)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            foreach (var h in headers) response.Headers.TryAddWithoutValidation(h.Key, h.Value);
            return response;
        }

        public static KeyValuePair<string, string> Header(string name, string value)
        {
            return new KeyValuePair<string, string>(name, value);
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body = request.Content == null ? null : await request.Content.ReadAsStringAsync().ConfigureAwait(false);
            lock (Requests) Requests.Add(new RecordedRequest(request, body));
            Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> step = null;
            lock (_script)
            {
                if (_script.Count > 0) step = _script.Dequeue();
            }
            if (step == null) step = Fallback;
            if (step == null) throw new InvalidOperationException("unexpected request " + request.Method + " " + request.RequestUri);
            return await step(request, cancellationToken).ConfigureAwait(false);
        }
    }

    public sealed class RecordedRequest
    {
        public RecordedRequest(HttpRequestMessage request, string body)
        {
            Method = request.Method.Method;
            Uri = request.RequestUri;
            Body = body;
            Headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            if (request.Content != null)
            {
                foreach (var h in request.Content.Headers) Headers[h.Key.ToLowerInvariant()] = string.Join(",", h.Value);
            }
        }

        public string Method { get; private set; }
        public Uri Uri { get; private set; }
        public string Body { get; private set; }
        public Dictionary<string, string> Headers { get; private set; }

        public string Header(string name)
        {
            string v;
            return Headers.TryGetValue(name.ToLowerInvariant(), out v) ? v : null;
        }
    }
}
