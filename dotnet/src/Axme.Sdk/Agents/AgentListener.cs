using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Agents
{
    /// <summary>
    /// The agent loop behind <c>ListenAsync</c>: hold the delivery stream (resume with the
    /// delivery cursor, reconnect with backoff, poll only when there is no stream endpoint),
    /// and for each delivery ack → run the handler while renewing the lease → resume or fail.
    /// </summary>
    internal sealed class AgentListener
    {
        private static readonly TimeSpan DefaultRenewInterval = TimeSpan.FromSeconds(20);
        private static readonly TimeSpan MinRenewInterval = TimeSpan.FromMilliseconds(500);

        private readonly AxmeClient _client;
        private readonly Transport _pipeline;
        private readonly string _address;
        private readonly Func<DeliveryContext, Task<JObject>> _handler;
        private readonly ListenOptions _options;
        private readonly CancellationToken _cancellationToken;
        // RunAgentAsync: the handler in hand, its renewals and its result run under _work, which
        // ends a grace after _cancellationToken (the stop); then the handler is abandoned, not awaited.
        private readonly CancellationToken _work;
        private readonly bool _abandonWhenWorkEnds;
        private readonly ReconnectPolicy _reconnect;
        private const int SeenDeliveries = 4096;
        private readonly HashSet<string> _seen = new HashSet<string>();
        private readonly Queue<string> _seenOrder = new Queue<string>();
        private SseConnection _connection;
        private DateTimeOffset _connectedAt;
        private string _cursor;
        private int _handled;

        public AgentListener(AxmeClient client, Transport pipeline, string address, Func<DeliveryContext, Task<JObject>> handler,
            ListenOptions options, CancellationToken cancellationToken)
            : this(client, pipeline, address, handler, options, cancellationToken, cancellationToken, false)
        {
        }

        public AgentListener(AxmeClient client, Transport pipeline, string address, Func<DeliveryContext, Task<JObject>> handler,
            ListenOptions options, CancellationToken stop, CancellationToken work, bool abandonWhenWorkEnds)
        {
            _client = client;
            _pipeline = pipeline;
            _address = address;
            _handler = handler;
            _options = options ?? new ListenOptions();
            _cancellationToken = stop;
            _work = work;
            _abandonWhenWorkEnds = abandonWhenWorkEnds;
            _reconnect = new ReconnectPolicy(pipeline, null);
        }

        /// <summary>Deliveries acked and handed to the handler so far.</summary>
        public int Handled
        {
            get { return _handled; }
        }

        private bool Done
        {
            get { return _options.MaxDeliveries.HasValue && _handled >= _options.MaxDeliveries.Value; }
        }

        public async Task<int> RunAsync()
        {
            try
            {
                while (!Done)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    await StreamOnceAsync().ConfigureAwait(false);
                }
                return _handled;
            }
            finally
            {
                CloseConnection();
            }
        }

        private async Task StreamOnceAsync()
        {
            Exception failure = null;
            bool cleanEnd = false;
            try
            {
                if (_connection == null)
                {
                    _connectedAt = DateTimeOffset.UtcNow;
                    _connection = await SseConnection.OpenAsync(_pipeline, AgentPath() + "/intents/stream", StreamQuery(), _cursor,
                        _cancellationToken).ConfigureAwait(false);
                }
                SseEvent frame;
                try
                {
                    frame = await _connection.ReadAsync().ConfigureAwait(false);
                }
                catch (AxmeConnectionException e)
                {
                    throw new StreamInterruptedException("delivery stream interrupted: " + e.Message, e);
                }
                if (frame == null)
                {
                    CloseConnection();
                    failure = new StreamInterruptedException("delivery stream ended", null);
                }
                else if (frame.Event == "stream.timeout")
                {
                    CloseConnection();
                    cleanEnd = true;
                }
                else if (frame.Event == "intent.delivery")
                {
                    Delivery delivery = ParseDelivery(frame);
                    if (!string.IsNullOrEmpty(frame.Id)) _cursor = frame.Id;
                    _reconnect.Reset();
                    if (FirstSighting(delivery.DeliveryId))
                    {
                        _connection.PauseIdleTimer();
                        await HandleAsync(delivery).ConfigureAwait(false);
                        if (_connection != null) _connection.ResetIdleTimer();
                    }
                }
            }
            catch (Exception e) when (ReconnectPolicy.IsReconnectable(e))
            {
                CloseConnection();
                failure = e;
            }
            await _reconnect.SettleAsync(failure, cleanEnd, _connectedAt, _cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Drops a delivery already handled on an earlier connection (bounded memory).</summary>
        private bool FirstSighting(string deliveryId)
        {
            if (_seen.Contains(deliveryId)) return false;
            _seen.Add(deliveryId);
            _seenOrder.Enqueue(deliveryId);
            if (_seenOrder.Count > SeenDeliveries) _seen.Remove(_seenOrder.Dequeue());
            return true;
        }

        private static Delivery ParseDelivery(SseEvent frame)
        {
            JObject data;
            try
            {
                data = AxmeJson.Parse(frame.Data) as JObject;
            }
            catch (JsonException e)
            {
                throw new StreamException("malformed intent.delivery frame (id " + frame.Id + "): " + e.Message, e);
            }
            if (data == null || data["intent_id"] == null || data["delivery_id"] == null)
            {
                throw new StreamException("intent.delivery frame without intent_id/delivery_id (id " + frame.Id + ")");
            }
            return AxmeModel.FromJson<Delivery>(data);
        }

        private async Task HandleAsync(Delivery delivery)
        {
            AckIntentResponse ack;
            try
            {
                ack = await _client.AckIntentAsync(delivery.IntentId, new AckIntentRequest { DeliveryId = delivery.DeliveryId }, null,
                    _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AxmeApiException || e is AxmeConnectionException)
            {
                // Stale/terminal (409) or the ack failed: the lease expires and the server redelivers.
                Transport.Log.TraceEvent(TraceEventType.Information, 0, "skipping delivery {0}: {1}", delivery.DeliveryId, e.Message);
                return;
            }
            _handled++;
            await RunAckedAsync(delivery, ack).ConfigureAwait(false);
        }

        /// <summary>Runs the handler for an acked delivery while renewing the lease, then resumes or fails the intent; the push receiver shares it.</summary>
        internal async Task RunAckedAsync(Delivery delivery, AckIntentResponse ack)
        {
            JToken lease = ack.ToJson()["lease_expires_at"];
            if (lease != null && lease.Type == JTokenType.String) delivery.ToJson()["lease_expires_at"] = lease.DeepClone();
            using (var handlerCts = CancellationTokenSource.CreateLinkedTokenSource(_work))
            using (var stopRenewal = new CancellationTokenSource())
            {
                var context = new DeliveryContext(_client, delivery, handlerCts.Token);
                Task renewal = RenewLeaseAsync(delivery, RenewInterval(ack), stopRenewal.Token);
                Task<JObject> handling = InvokeHandlerAsync(context);
                if (_abandonWhenWorkEnds && !await FinishesBeforeWorkEndsAsync(handling).ConfigureAwait(false))
                {
                    stopRenewal.Cancel();
                    Transport.Log.TraceEvent(TraceEventType.Warning, 0,
                        "shutdown grace over: abandoning delivery {0} (its lease expires and the server redelivers it)", delivery.DeliveryId);
                    _work.ThrowIfCancellationRequested();
                }
                JObject result = null;
                Exception error = null;
                try
                {
                    result = await handling.ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    error = e;
                }
                stopRenewal.Cancel();
                await renewal.ConfigureAwait(false);
                if (_work.IsCancellationRequested) _work.ThrowIfCancellationRequested();
                if (error is AbandonDeliveryException) return;
                await ReportAsync(delivery, result, error).ConfigureAwait(false);
            }
        }

        private async Task<JObject> InvokeHandlerAsync(DeliveryContext context)
        {
            return await _handler(context).ConfigureAwait(false); // a synchronous throw becomes the task's error
        }

        /// <summary>Whether the handler ends before the shutdown grace does.</summary>
        private async Task<bool> FinishesBeforeWorkEndsAsync(Task handling)
        {
            var graceOver = new TaskCompletionSource<bool>();
            using (_work.Register(() => graceOver.TrySetResult(true)))
            {
                return await Task.WhenAny(handling, graceOver.Task).ConfigureAwait(false) == handling;
            }
        }

        private async Task ReportAsync(Delivery delivery, JObject result, Exception error)
        {
            try
            {
                if (error == null)
                {
                    await _client.ResumeIntentAsync(delivery.IntentId, result, delivery.DeliveryId, null,
                        _work).ConfigureAwait(false);
                }
                else
                {
                    IntentError body = HandlerError(error);
                    await _client.FailIntentAsync(delivery.IntentId, body, delivery.DeliveryId, null, _work).ConfigureAwait(false);
                }
            }
            catch (AxmeException e)
            {
                Transport.Log.TraceEvent(TraceEventType.Warning, 0, "result for {0} not accepted: {1}", delivery.DeliveryId, e.Message);
            }
        }

        /// <summary>REQ-LISTEN-003: the error a failing handler leaves on the intent.</summary>
        internal static IntentError HandlerError(Exception error)
        {
            return new IntentError(AxmeClient.DefaultErrorCode, string.IsNullOrEmpty(error.Message) ? error.GetType().Name : error.Message);
        }

        /// <summary>
        /// REQ-LISTEN-002: re-acks the delivery every third of the remaining lease while the handler
        /// runs (a re-ack renews the lease without an event). A 409 means there is nothing left to renew.
        /// </summary>
        private async Task RenewLeaseAsync(Delivery delivery, TimeSpan interval, CancellationToken stop)
        {
            while (true)
            {
                try
                {
                    await Task.Delay(interval, stop).ConfigureAwait(false);
                    AckIntentResponse ack = await _client.AckIntentAsync(delivery.IntentId,
                        new AckIntentRequest { DeliveryId = delivery.DeliveryId }, null, stop).ConfigureAwait(false);
                    interval = RenewInterval(ack);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (ConflictException e)
                {
                    Transport.Log.TraceEvent(TraceEventType.Warning, 0, "lease renewal for {0}: {1}", delivery.DeliveryId, e.Code);
                    return;
                }
                catch (AxmeException e)
                {
                    Transport.Log.TraceEvent(TraceEventType.Warning, 0, "lease renewal for {0} failed: {1}", delivery.DeliveryId, e.Message);
                }
            }
        }

        /// <summary>A third of the remaining lease (two renewals may fail before it lapses), at least 0.5 s.</summary>
        private TimeSpan RenewInterval(AckIntentResponse ack)
        {
            if (_options.LeaseRenewInterval.HasValue) return _options.LeaseRenewInterval.Value;
            DateTimeOffset? expires = ack.LeaseExpiresAt;
            if (!expires.HasValue) return DefaultRenewInterval;
            TimeSpan third = TimeSpan.FromTicks((expires.Value - DateTimeOffset.UtcNow).Ticks / 3);
            return third < MinRenewInterval ? MinRenewInterval : third;
        }

        private string AgentPath()
        {
            return "v1/agents/" + Transport.Segment(_address);
        }

        private List<KeyValuePair<string, string>> StreamQuery()
        {
            var query = new List<KeyValuePair<string, string>>();
            if (_cursor != null) query.Add(new KeyValuePair<string, string>("since", _cursor));
            if (_options.WaitSeconds.HasValue)
            {
                query.Add(new KeyValuePair<string, string>("wait_seconds", _options.WaitSeconds.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            return query;
        }

        private void CloseConnection()
        {
            if (_connection != null)
            {
                _connection.Dispose();
                _connection = null;
            }
        }
    }
}
