using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;

namespace Axme.Sdk.Streaming
{
    /// <summary>
    /// One open SSE response with an idle timeout. Cancellation and idleness dispose the
    /// response, because a pending read on some runtimes (Mono) ignores its token.
    /// </summary>
    internal sealed class SseConnection : IDisposable
    {
        private readonly OpenStream _response;
        private readonly SseReader _reader;
        private readonly CancellationToken _callerToken;
        private readonly CancellationTokenSource _idleCts;
        private readonly CancellationTokenRegistration _abortRegistration;
        private readonly TimeSpan _idleTimeout;
        private readonly string _url;

        private SseConnection(OpenStream response, TimeSpan idleTimeout, CancellationToken callerToken, string url)
        {
            _response = response;
            _url = url;
            _callerToken = callerToken;
            _idleTimeout = idleTimeout;
            _reader = new SseReader(response.Body);
            _idleCts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            _idleCts.CancelAfter(idleTimeout);
            _reader.OnBytes = ResetIdleTimer;
            _abortRegistration = _idleCts.Token.Register(response.Dispose);
        }

        public static async Task<SseConnection> OpenAsync(Transport pipeline, string path,
            IEnumerable<KeyValuePair<string, string>> query, string lastEventId, CancellationToken cancellationToken)
        {
            OpenStream response = await pipeline.OpenStreamAsync(path, query, lastEventId, cancellationToken).ConfigureAwait(false);
            string url = pipeline.BuildUri(path, null).GetLeftPart(UriPartial.Path);
            return new SseConnection(response, pipeline.Settings.StreamIdleTimeout, cancellationToken, url);
        }

        /// <summary>The server's <c>retry:</c> hint, if it sent one.</summary>
        public long? RetryMs { get { return _reader.Parser.RetryMs; } }

        /// <summary>Next event; null when the server closed the stream cleanly.</summary>
        public async Task<SseEvent> ReadAsync()
        {
            try
            {
                // the registration above also closes the response, so an abandoned read ends too
                return await Cancelable.OrCanceled(_reader.ReadAsync(_idleCts.Token), _idleCts.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is AxmeException))
            {
                if (_callerToken.IsCancellationRequested) throw new OperationCanceledException(_callerToken);
                if (_idleCts.IsCancellationRequested)
                {
                    throw new AxmeTimeoutException(string.Format("GET {0}: no bytes on the stream for {1:0.###} s", _url, _idleTimeout.TotalSeconds), e);
                }
                throw new AxmeConnectionException("GET " + _url + ": event stream broke: " + e.Message, e); // names the URL (REQ-CLIENT-009)
            }
        }

        /// <summary>Stops the idle clock while the owner is busy and not reading (a handler is running).</summary>
        public void PauseIdleTimer()
        {
            try
            {
                _idleCts.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Restarts the idle clock from now.</summary>
        public void ResetIdleTimer()
        {
            try
            {
                _idleCts.CancelAfter(_idleTimeout);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _abortRegistration.Dispose();
            _idleCts.Dispose();
            _response.Dispose();
        }
    }
}
