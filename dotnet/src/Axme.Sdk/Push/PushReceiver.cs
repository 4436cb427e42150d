using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Text;
using Axme.Sdk.Models;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Agents;
using Axme.Sdk.Http;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>
    /// A receiver for the push binding (<c>delivery_mode: "http"</c>) on <see cref="HttpListener"/>: each
    /// POST is verified (401 otherwise), acked, answered 202, then handled in the background exactly as
    /// <see cref="AxmeClient.ListenAsync(string, Func{DeliveryContext, Task{JObject}}, ListenOptions, CancellationToken)"/>
    /// handles a delivery. A delivery that is no longer ours (409 on ack) is answered 200; an ack that fails
    /// otherwise 503, so the server redelivers (REQ-PUSH-006). Other hosts call <see cref="Push.VerifyDelivery(byte[], Func{string, string}, string[])"/>.
    /// </summary>
    public sealed class PushReceiver : IDisposable
    {
        private const int MaxBodyBytes = 8 * 1024 * 1024;

        private readonly AxmeClient _client;
        private readonly PushVerifier _verifier;
        private readonly AgentListener _agent;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly HttpListener _listener = new HttpListener();
        private readonly HashSet<Task> _inflight = new HashSet<Task>();
        private readonly object _lock = new object();
        private Task _accepting;
        private bool _closing;

        /// <param name="client">the client whose key acks and resumes</param>
        /// <param name="handler">the agent's work (the same one ListenAsync runs)</param>
        /// <param name="verifier">the signing secret(s); without its own <see cref="PushVerifier.Seen"/> the receiver keeps its own memory</param>
        /// <param name="prefix">the <see cref="HttpListener"/> prefix to serve, e.g. <c>http://+:8080/</c></param>
        public PushReceiver(AxmeClient client, Func<DeliveryContext, Task<JObject>> handler, PushVerifier verifier, string prefix)
        {
            if (client == null) throw new ArgumentNullException("client");
            if (handler == null) throw new ArgumentNullException("handler");
            if (verifier == null) throw new ArgumentNullException("verifier");
            _client = client;
            _verifier = verifier;
            if (_verifier.Seen == Push.ProcessSeen) _verifier.Seen = new InMemoryPushSeenDeliveries();
            _agent = new AgentListener(client, client.Pipeline, "push", handler, null, _stop.Token);
            _listener.Prefixes.Add(prefix);
        }

        /// <summary>Starts listening; requests are answered until <see cref="StopAsync"/>.</summary>
        public void Start()
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }

        /// <summary>Refuses new pushes (503), waits for the answers and deliveries in flight, then stops listening.</summary>
        public async Task StopAsync()
        {
            lock (_lock) _closing = true;
            while (true)
            {
                Task[] pending;
                lock (_lock)
                {
                    pending = new Task[_inflight.Count];
                    _inflight.CopyTo(pending);
                }
                if (pending.Length == 0) break;
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            _listener.Stop(); // only now: stopping closes connections whose answers are not written yet
            if (_accepting != null) await _accepting.ConfigureAwait(false);
        }

        public void Dispose()
        {
            _stop.Cancel(); // handlers still running give up; their leases expire and are redelivered
            StopAsync().GetAwaiter().GetResult();
            _listener.Close();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException || e is ObjectDisposedException || e is InvalidOperationException)
                {
                    return; // stopped
                }
                Track(AnswerAsync(context));
            }
        }

        private void Track(Task task)
        {
            lock (_lock) _inflight.Add(task);
            task.ContinueWith(done => { lock (_lock) _inflight.Remove(done); }, TaskScheduler.Default);
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            int status;
            JObject answer;
            try
            {
                Tuple<int, JObject, Task> outcome = await DecideAsync(context.Request).ConfigureAwait(false);
                status = outcome.Item1;
                answer = outcome.Item2;
                if (outcome.Item3 != null) Track(outcome.Item3);
            }
            catch (Exception e)
            {
                Transport.Log.TraceEvent(TraceEventType.Error, 0, "push receiver: {0}", e);
                status = 500;
                answer = new JObject { { "error", "internal_error" } };
            }
            byte[] body = Encoding.UTF8.GetBytes(answer.ToString(Newtonsoft.Json.Formatting.None));
            try
            {
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException || e is IOException || e is ObjectDisposedException)
            {
                Transport.Log.TraceEvent(TraceEventType.Warning, 0, "push receiver: answer not sent: {0}", e.Message);
            }
        }

        private static JObject Error(string code)
        {
            return new JObject { { "error", code } };
        }

        private async Task<Tuple<int, JObject, Task>> DecideAsync(HttpListenerRequest request)
        {
            if (request.HttpMethod != "POST") return Tuple.Create(405, Error("method_not_allowed"), (Task)null);
            lock (_lock)
            {
                if (_closing) return Tuple.Create(503, Error("shutting_down"), (Task)null);
            }
            byte[] raw = await ReadBodyAsync(request.InputStream).ConfigureAwait(false);
            if (raw == null) return Tuple.Create(413, Error("body_too_large"), (Task)null);
            Delivery delivery;
            try
            {
                delivery = _verifier.Verify(raw, request.Headers.Get);
            }
            catch (SignatureException rejected)
            {
                Transport.Log.TraceEvent(TraceEventType.Warning, 0, "push rejected ({0}): {1}", rejected.Reason, rejected.Message);
                return Tuple.Create(401, Error(rejected.Reason), (Task)null);
            }
            AckIntentResponse ack;
            try
            {
                ack = await _client.AckIntentAsync(delivery.IntentId, new AckIntentRequest { DeliveryId = delivery.DeliveryId }, null,
                    _stop.Token).ConfigureAwait(false);
            }
            catch (ConflictException notOurs) // stale or terminal: nothing to do, do not redeliver
            {
                return Tuple.Create(200, new JObject { { "skipped", notOurs.Code } }, (Task)null);
            }
            catch (Exception e) when (e is AxmeApiException || e is AxmeConnectionException)
            {
                Transport.Log.TraceEvent(TraceEventType.Warning, 0, "ack of pushed delivery {0} failed: {1}", delivery.DeliveryId, e.Message);
                return Tuple.Create(503, Error("ack_failed"), (Task)null);
            }
            Task handling = Task.Run(() => HandleAsync(delivery, ack));
            return Tuple.Create(202, new JObject { { "accepted", delivery.DeliveryId } }, handling);
        }

        private async Task HandleAsync(Delivery delivery, AckIntentResponse ack)
        {
            try
            {
                await _agent.RunAckedAsync(delivery, ack).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // disposed mid-handler: the lease expires and the server redelivers
            }
        }

        private static async Task<byte[]> ReadBodyAsync(Stream input)
        {
            using (var buffer = new MemoryStream())
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await input.ReadAsync(chunk, 0, chunk.Length).ConfigureAwait(false)) > 0)
                {
                    if (buffer.Length + read > MaxBodyBytes) return null;
                    buffer.Write(chunk, 0, read);
                }
                return buffer.ToArray();
            }
        }
    }
}
