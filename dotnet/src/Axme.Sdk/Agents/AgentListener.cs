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
        private static readonly TimeSpan MaxRenewInterval = TimeSpan.FromSeconds(20);
        private static readonly TimeSpan MinRenewInterval = TimeSpan.FromSeconds(1);

        private readonly AxmeClient _client;
        private readonly HttpPipeline _pipeline;
        private readonly string _address;
        private readonly Func<DeliveryContext, Task<JObject>> _handler;
        private readonly ListenOptions _options;
        private readonly CancellationToken _cancellationToken;
        private readonly ReconnectPolicy _reconnect;
        private SseConnection _connection;
        private bool _connectionHadEvents;
        private bool _polling;
        private string _cursor;
        private int _handled;

        public AgentListener(AxmeClient client, HttpPipeline pipeline, string address, Func<DeliveryContext, Task<JObject>> handler,
            ListenOptions options, CancellationToken cancellationToken)
        {
            _client = client;
            _pipeline = pipeline;
            _address = address;
            _handler = handler;
            _options = options ?? new ListenOptions();
            _cancellationToken = cancellationToken;
            _reconnect = new ReconnectPolicy(pipeline);
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
                    if (_polling) await PollOnceAsync().ConfigureAwait(false);
                    else await StreamOnceAsync().ConfigureAwait(false);
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
            try
            {
                if (_connection == null)
                {
                    _connection = await SseConnection.OpenAsync(_pipeline, AgentPath() + "/intents/stream", StreamQuery(), _cursor,
                        _cancellationToken).ConfigureAwait(false);
                    _connectionHadEvents = false;
                }
                SseEvent frame = await _connection.ReadAsync().ConfigureAwait(false);
                if (frame == null)
                {
                    CloseConnection();
                    if (!_connectionHadEvents) failure = new AxmeConnectionException("delivery stream closed without data");
                }
                else if (frame.Event == "stream.timeout")
                {
                    CloseConnection();
                }
                else if (frame.Event == "intent.delivery")
                {
                    Delivery delivery = ParseDelivery(frame);
                    if (!string.IsNullOrEmpty(frame.Id)) _cursor = frame.Id;
                    _connectionHadEvents = true;
                    _reconnect.Reset();
                    _connection.PauseIdleTimer();
                    await HandleAsync(delivery).ConfigureAwait(false);
                    if (_connection != null) _connection.ResetIdleTimer();
                }
            }
            catch (Exception e) when (ReconnectPolicy.IsStreamMissing(e))
            {
                CloseConnection();
                HttpPipeline.Log.TraceEvent(TraceEventType.Information, 0, "no delivery stream endpoint ({0}); polling instead", e.Message);
                _polling = true;
            }
            catch (Exception e) when (ReconnectPolicy.IsTransient(e))
            {
                CloseConnection();
                failure = e;
            }
            if (failure != null)
            {
                HttpPipeline.Log.TraceEvent(TraceEventType.Warning, 0, "delivery stream for {0}: {1}; reconnecting", _address, failure.Message);
                await _reconnect.PauseAsync(failure, _cancellationToken).ConfigureAwait(false);
            }
        }

        private async Task PollOnceAsync()
        {
            DeliveryPollResponse page;
            try
            {
                long? limit = _options.MaxDeliveries.HasValue ? _options.MaxDeliveries.Value - _handled : (long?)null;
                page = await _client.PollAgentDeliveriesAsync(_address, "pending", _options.WaitSeconds ?? 30, limit, null,
                    _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ReconnectPolicy.IsTransient(e))
            {
                await _reconnect.PauseAsync(e, _cancellationToken).ConfigureAwait(false);
                return;
            }
            _reconnect.Reset();
            foreach (Delivery delivery in page.Deliveries ?? new Delivery[0])
            {
                if (Done) break;
                await HandleAsync(delivery).ConfigureAwait(false);
            }
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
            catch (AxmeApiException e) when (e.Status == 409 || e.Status == 404)
            {
                // Stale or already-finished delivery: someone else owns it now.
                HttpPipeline.Log.TraceEvent(TraceEventType.Information, 0, "skipping delivery {0}: {1}", delivery.DeliveryId, e.Message);
                return;
            }
            _handled++;
            using (var handlerCts = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken))
            using (var stopRenewal = new CancellationTokenSource())
            {
                var context = new DeliveryContext(_client, delivery, handlerCts.Token);
                var lease = new LeaseState();
                Task renewal = RenewLeaseAsync(context, RenewInterval(ack), handlerCts, stopRenewal.Token, lease);
                JObject result = null;
                Exception error = null;
                try
                {
                    result = await _handler(context).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    error = e;
                }
                stopRenewal.Cancel();
                await renewal.ConfigureAwait(false);
                if (_cancellationToken.IsCancellationRequested) _cancellationToken.ThrowIfCancellationRequested();
                if (error is AbandonDeliveryException) return;
                if (lease.Lost)
                {
                    HttpPipeline.Log.TraceEvent(TraceEventType.Warning, 0, "lease of {0} was lost; not resuming", delivery.DeliveryId);
                    return;
                }
                await ReportAsync(delivery, result, error).ConfigureAwait(false);
            }
        }

        private async Task ReportAsync(Delivery delivery, JObject result, Exception error)
        {
            try
            {
                if (error == null)
                {
                    await _client.ResumeIntentAsync(delivery.IntentId, ResumeBody.Complete(result, delivery.DeliveryId), null,
                        _cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var failure = error as AgentFailureException;
                    IntentError body = failure != null ? failure.Error : new IntentError("handler_error", error.Message);
                    await _client.FailIntentAsync(delivery.IntentId, body, delivery.DeliveryId, null, _cancellationToken).ConfigureAwait(false);
                }
            }
            catch (AxmeApiException e) when (e.Status == 409 || e.Status == 404)
            {
                HttpPipeline.Log.TraceEvent(TraceEventType.Warning, 0, "result for {0} not accepted: {1}", delivery.DeliveryId, e.Message);
            }
        }

        private async Task RenewLeaseAsync(DeliveryContext context, TimeSpan interval, CancellationTokenSource handlerCts,
            CancellationToken stop, LeaseState lease)
        {
            while (true)
            {
                try
                {
                    await Task.Delay(interval, stop).ConfigureAwait(false);
                    await context.ReportProgressAsync(null).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (AxmeApiException e) when (e.Status == 409 || e.Status == 404)
                {
                    lease.Lost = true;
                    handlerCts.Cancel();
                    return;
                }
                catch (AxmeException e)
                {
                    HttpPipeline.Log.TraceEvent(TraceEventType.Warning, 0, "lease renewal failed: {0}", e.Message);
                }
            }
        }

        private TimeSpan RenewInterval(AckIntentResponse ack)
        {
            if (_options.LeaseRenewInterval.HasValue) return _options.LeaseRenewInterval.Value;
            DateTimeOffset? expires = ack.LeaseExpiresAt;
            if (!expires.HasValue) return MaxRenewInterval;
            TimeSpan left = expires.Value - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero || left > TimeSpan.FromMinutes(10)) return MaxRenewInterval;
            TimeSpan third = TimeSpan.FromTicks(left.Ticks / 3);
            if (third < MinRenewInterval) return MinRenewInterval;
            return third > MaxRenewInterval ? MaxRenewInterval : third;
        }

        private string AgentPath()
        {
            return "v1/agents/" + HttpPipeline.Segment(_address);
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

        private sealed class LeaseState
        {
            public volatile bool Lost;
        }
    }
}
