using System;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// One raw SSE connection (<c>StreamIntentEventsAsync</c>, <c>StreamAgentDeliveriesAsync</c>):
    /// yields the wanted frames as models as they arrive and ends when the server ends the
    /// connection. No resume, no reconnect (that is what Observe and ListenAsync add).
    /// Single pass: <see cref="GetAsyncEnumerator"/> returns the stream itself.
    /// </summary>
    public sealed class ServerEventStream<T> : IDisposable where T : AxmeModel, new()
    {
        private static readonly Task CompletedTask = Task.FromResult(true);
        private readonly SseConnection _connection;
        private readonly Func<SseEvent, bool> _wanted;
        private bool _done;

        internal ServerEventStream(SseConnection connection, Func<SseEvent, bool> wanted)
        {
            _connection = connection;
            _wanted = wanted;
        }

        public T Current { get; private set; }

        /// <summary>The SSE id of the current frame (event seq, or the agent's delivery cursor).</summary>
        public string CurrentId { get; private set; }

        public ServerEventStream<T> GetAsyncEnumerator()
        {
            return this;
        }

        public async Task<bool> MoveNextAsync()
        {
            while (!_done)
            {
                SseEvent frame = await _connection.ReadAsync().ConfigureAwait(false);
                if (frame == null)
                {
                    Dispose();
                    return false;
                }
                if (!_wanted(frame)) continue;
                JObject data;
                try
                {
                    data = AxmeJson.Parse(frame.Data) as JObject;
                }
                catch (JsonException e)
                {
                    throw new StreamException("malformed '" + frame.Event + "' frame: " + e.Message, e);
                }
                if (data == null) throw new StreamException("'" + frame.Event + "' frame data is not a JSON object");
                Current = AxmeModel.FromJson<T>(data);
                CurrentId = frame.Id;
                return true;
            }
            return false;
        }

        public Task DisposeAsync()
        {
            Dispose();
            return CompletedTask;
        }

        public void Dispose()
        {
            _done = true;
            _connection.Dispose();
        }
    }
}
