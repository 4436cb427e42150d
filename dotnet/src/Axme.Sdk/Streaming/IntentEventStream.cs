using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Models;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// The events of one intent, each yielded as soon as its bytes arrive. Consume it with
    /// <c>await foreach</c> (C# 8+, pattern-based: <see cref="GetAsyncEnumerator"/> plus an
    /// enumerator with <c>Task&lt;bool&gt; MoveNextAsync()</c>, <c>Current</c> and
    /// <c>Task DisposeAsync()</c>), or with the enumerator directly in older C#.
    /// </summary>
    public sealed class IntentEventStream
    {
        private readonly Transport _pipeline;
        private readonly string _intentId;
        private readonly ObserveOptions _options;
        private readonly CancellationToken _cancellationToken;
        private readonly Func<string, CancellationToken, Task<string>> _retriedBy;

        // retriedBy: after a FAILED/TIMED_OUT end, the id of the attempt that retried the intent, or
        // null (REQ-REATTEMPT-009); a null function never follows.
        internal IntentEventStream(Transport pipeline, string intentId, ObserveOptions options, CancellationToken cancellationToken,
            Func<string, CancellationToken, Task<string>> retriedBy = null)
        {
            if (string.IsNullOrEmpty(intentId)) throw new ArgumentException("intent_id is required", "intentId");
            _pipeline = pipeline;
            _intentId = intentId;
            _options = options ?? new ObserveOptions();
            _cancellationToken = cancellationToken;
            _retriedBy = retriedBy;
        }

        /// <summary>Starts a fresh enumeration (each one opens its own connection).</summary>
        public Enumerator GetAsyncEnumerator()
        {
            return new Enumerator(_pipeline, _intentId, _options, _cancellationToken, _retriedBy);
        }

        /// <summary>Reads events until the stream ends. Convenient in C# 7.2, where there is no <c>await foreach</c>.</summary>
        public async Task<IReadOnlyList<IntentEvent>> ToListAsync()
        {
            var events = new List<IntentEvent>();
            Enumerator e = GetAsyncEnumerator();
            try
            {
                while (await e.MoveNextAsync().ConfigureAwait(false)) events.Add(e.Current);
            }
            finally
            {
                await e.DisposeAsync().ConfigureAwait(false);
            }
            return events;
        }

        /// <summary>Iterates one observation: streaming, resume with Last-Event-ID, poll fallback.</summary>
        public sealed class Enumerator : IDisposable
        {
            private static readonly Task CompletedTask = Task.FromResult(true);
            private readonly Transport _pipeline;
            private string _intentId;
            private readonly ObserveOptions _options;
            private readonly CancellationToken _cancellationToken;
            private readonly Func<string, CancellationToken, Task<string>> _retriedBy;
            private readonly ReconnectPolicy _reconnect;
            private readonly Queue<IntentEvent> _pending = new Queue<IntentEvent>();
            private SseConnection _connection;
            private DateTimeOffset _connectedAt;
            private long _resumeFrom;
            private string _lastStatus;
            private bool _polling;
            private bool _done;
            private long _lastSeq;

            /// <summary>WaitForAsync: ask for the <c>stream.intent</c> frames (REQ-SSE-016) and, after the
            /// terminal event, read the connection to its end, where the final intent comes.</summary>
            internal bool IncludeIntent { get; set; }

            /// <summary>The intent of the last <c>stream.intent</c> frame, or null.</summary>
            internal JObject IntentFrame { get; private set; }

            internal Enumerator(Transport pipeline, string intentId, ObserveOptions options, CancellationToken cancellationToken,
                Func<string, CancellationToken, Task<string>> retriedBy)
            {
                _pipeline = pipeline;
                _intentId = intentId;
                _options = options;
                _cancellationToken = cancellationToken;
                _retriedBy = retriedBy;
                _reconnect = new ReconnectPolicy(pipeline, ReconnectPolicy.ObserveBudget(pipeline.Settings.MaxRetries));
                _lastSeq = options.Since ?? 0;
                _resumeFrom = _lastSeq;
            }

            /// <summary>The event produced by the last successful <see cref="MoveNextAsync"/>.</summary>
            public IntentEvent Current { get; private set; }

            /// <summary>Seq of the last event yielded (the resume point).</summary>
            public long LastSeq { get { return _lastSeq; } }

            /// <summary>Waits for the next event; false once a terminal event was yielded (with UntilTerminal).</summary>
            public async Task<bool> MoveNextAsync()
            {
                while (true)
                {
                    if (_pending.Count > 0)
                    {
                        IntentEvent next = _pending.Dequeue();
                        long seq = next.Seq ?? 0;
                        if (seq <= _lastSeq) continue; // duplicate after a reconnect
                        _lastSeq = seq;
                        _resumeFrom = seq;
                        _lastStatus = next.Status;
                        _reconnect.Reset();
                        Current = next;
                        if (_options.UntilTerminal && IntentStatus.IsTerminal(next.Status))
                        {
                            if (IncludeIntent) await ReadFinalIntentAsync().ConfigureAwait(false);
                            Finish();
                        }
                        return true;
                    }
                    if (_done)
                    {
                        if (!await FollowRetryAsync().ConfigureAwait(false)) return false;
                        continue;
                    }
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (_polling) await PollOnceAsync().ConfigureAwait(false);
                    else await ReadStreamAsync().ConfigureAwait(false);
                }
            }

            private async Task ReadStreamAsync()
            {
                Exception failure = null;
                bool cleanEnd = false;
                bool quietAfterTerminal = false;
                try
                {
                    if (_connection == null)
                    {
                        _connectedAt = DateTimeOffset.UtcNow;
                        _connection = await SseConnection.OpenAsync(_pipeline, StreamPath(), StreamQuery(),
                            _resumeFrom > 0 ? _resumeFrom.ToString(CultureInfo.InvariantCulture) : null, _cancellationToken).ConfigureAwait(false);
                    }
                    SseEvent frame;
                    try
                    {
                        frame = await _connection.ReadAsync().ConfigureAwait(false);
                    }
                    catch (AxmeConnectionException e)
                    {
                        throw new StreamInterruptedException("event stream interrupted: " + e.Message, e);
                    }
                    if (frame == null)
                    {
                        CloseConnection();
                        // After a terminal event (UntilTerminal = false) nothing more will come: a slow, uncounted retry.
                        if (IntentStatus.IsTerminal(_lastStatus)) quietAfterTerminal = true;
                        else failure = new StreamInterruptedException("event stream ended before a terminal event", null);
                    }
                    else if (frame.Event == "stream.timeout")
                    {
                        // REQ-OBSERVE-004: reconnect at once from next_seq - 1.
                        CloseConnection();
                        cleanEnd = true;
                        long? nextSeq = NextSeq(frame);
                        _resumeFrom = nextSeq.HasValue ? Math.Max(0, nextSeq.Value - 1) : _lastSeq;
                    }
                    else if (IncludeIntent && frame.Event == "stream.intent")
                    {
                        IntentFrame = ParseIntentFrame(frame);
                        // the wait is over (REQ-SSE-016): the intent was already terminal
                        if (IntentStatus.IsTerminal(IntentFrame.Value<string>("status"))) Finish();
                    }
                    else if (frame.Event.StartsWith("intent.", StringComparison.Ordinal))
                    {
                        _pending.Enqueue(ParseEvent(frame));
                    }
                }
                catch (Exception e) when (ReconnectPolicy.IsStreamMissing(e))
                {
                    CloseConnection();
                    Transport.Log.TraceEvent(System.Diagnostics.TraceEventType.Information, 0,
                        "no stream endpoint for intent events ({0}); polling instead", e.Message);
                    _polling = true;
                }
                catch (Exception e) when (ReconnectPolicy.IsReconnectable(e))
                {
                    CloseConnection();
                    failure = e;
                }
                if (failure != null) _resumeFrom = _lastSeq;
                if (quietAfterTerminal)
                {
                    await _pipeline.Retry.Sleep(_pipeline.Retry.Backoff(_reconnect.Limit ?? 0), _cancellationToken).ConfigureAwait(false);
                }
                await _reconnect.SettleAsync(failure, cleanEnd, _connectedAt, _cancellationToken).ConfigureAwait(false);
            }

            private static long? NextSeq(SseEvent frame)
            {
                try
                {
                    var data = AxmeJson.Parse(frame.Data) as JObject;
                    JToken next = data == null ? null : data["next_seq"];
                    return next != null && next.Type == JTokenType.Integer ? next.Value<long>() : (long?)null;
                }
                catch (JsonException)
                {
                    return null;
                }
            }

            /// <summary>What follows the terminal event: the final stream.intent frame, then the end (an
            /// older server or a broken connection just ends; IntentFrame then stays as it was).</summary>
            private async Task ReadFinalIntentAsync()
            {
                try
                {
                    for (SseEvent frame = _connection == null ? null : await _connection.ReadAsync().ConfigureAwait(false);
                         frame != null; frame = await _connection.ReadAsync().ConfigureAwait(false))
                    {
                        if (frame.Event != "stream.intent") continue;
                        IntentFrame = ParseIntentFrame(frame);
                        return;
                    }
                }
                catch (AxmeConnectionException)
                {
                }
            }

            private static JObject ParseIntentFrame(SseEvent frame)
            {
                JObject intent = null;
                try
                {
                    intent = (AxmeJson.Parse(frame.Data) as JObject)?["intent"] as JObject;
                }
                catch (JsonException)
                {
                }
                if (intent == null || intent["status"] == null || intent["status"].Type != JTokenType.String)
                {
                    string shown = frame.Data.Length > 200 ? frame.Data.Substring(0, 200) : frame.Data;
                    throw new StreamException("malformed 'stream.intent' frame: " + shown);
                }
                return intent;
            }

            private static IntentEvent ParseEvent(SseEvent frame)
            {
                JObject data = null;
                try
                {
                    data = AxmeJson.Parse(frame.Data) as JObject;
                }
                catch (JsonException)
                {
                }
                if (data == null || data["seq"] == null || (data["seq"].Type != JTokenType.Integer))
                {
                    string shown = frame.Data.Length > 200 ? frame.Data.Substring(0, 200) : frame.Data;
                    throw new StreamException(string.Format("malformed '{0}' frame: {1}", frame.Event, shown));
                }
                return AxmeModel.FromJson<IntentEvent>(data);
            }

            private async Task PollOnceAsync()
            {
                var query = new List<KeyValuePair<string, string>>
                {
                    new KeyValuePair<string, string>("since", _lastSeq.ToString(CultureInfo.InvariantCulture)),
                };
                JObject json = await _pipeline.SendAsync(System.Net.Http.HttpMethod.Get, EventsPath(), query, null, null,
                    _cancellationToken).ConfigureAwait(false);
                var page = AxmeModel.FromJson<EventListResponse>(json);
                IReadOnlyList<IntentEvent> events = page.Events ?? new IntentEvent[0];
                foreach (IntentEvent e in events) _pending.Enqueue(e);
                bool fresh = false;
                foreach (IntentEvent e in events) fresh |= (e.Seq ?? 0) > _lastSeq;
                if (!fresh)
                {
                    await _pipeline.Retry.Sleep(_options.PollInterval ?? TimeSpan.FromSeconds(1), _cancellationToken).ConfigureAwait(false);
                }
            }

            private string EventsPath()
            {
                return "v1/intents/" + Transport.Segment(_intentId) + "/events";
            }

            private string StreamPath()
            {
                return EventsPath() + "/stream";
            }

            /// <summary><c>since</c> only once there is a resume point (the same request every AXME SDK makes).</summary>
            private List<KeyValuePair<string, string>> StreamQuery()
            {
                var query = new List<KeyValuePair<string, string>>();
                if (_resumeFrom > 0) query.Add(new KeyValuePair<string, string>("since", _resumeFrom.ToString(CultureInfo.InvariantCulture)));
                if (_options.WaitSeconds.HasValue)
                {
                    query.Add(new KeyValuePair<string, string>("wait_seconds", _options.WaitSeconds.Value.ToString(CultureInfo.InvariantCulture)));
                }
                if (IncludeIntent) query.Add(new KeyValuePair<string, string>("include_intent", "true"));
                return query;
            }

            /// <summary>After a FAILED or TIMED_OUT event: go on with the attempt that retried the intent, from its first event.</summary>
            private async Task<bool> FollowRetryAsync()
            {
                string ended = _lastStatus;
                _lastStatus = null; // asked once per ending
                if (_retriedBy == null || !_options.UntilTerminal || (ended != IntentStatus.Failed && ended != IntentStatus.TimedOut)) return false;
                string next = await _retriedBy(_intentId, _cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(next)) return false;
                _intentId = next;
                _lastSeq = 0;
                _resumeFrom = 0;
                _polling = false;
                _done = false;
                _reconnect.Reset();
                return true;
            }

            private void Finish()
            {
                _done = true;
                _pending.Clear();
                CloseConnection();
            }

            private void CloseConnection()
            {
                if (_connection != null)
                {
                    _connection.Dispose();
                    _connection = null;
                }
            }

            /// <summary>Closes the connection; safe to call more than once.</summary>
            public Task DisposeAsync()
            {
                Dispose();
                return CompletedTask;
            }

            public void Dispose()
            {
                _done = true;
                _pending.Clear();
                CloseConnection();
            }
        }
    }
}
