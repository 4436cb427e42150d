using System;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Http
{
    /// <summary>
    /// Stream transport for Mono: <see cref="HttpWebRequest"/> with buffering off, so bytes are
    /// read as they arrive, and <see cref="HttpWebRequest.Abort"/> to close the socket when the
    /// stream is disposed (Mono's HttpClientHandler leaves it open).
    /// </summary>
    internal static class WebRequestStreams
    {
        public static async Task<OpenStream> OpenAsync(Transport pipeline, Uri uri, string traceId, string lastEventId,
            CancellationToken cancellationToken)
        {
            HttpWebRequest request = WebRequest.CreateHttp(uri);
            request.Method = "GET";
            request.AllowReadStreamBuffering = false;
            request.AllowAutoRedirect = false;
            request.KeepAlive = false;
            request.Accept = "text/event-stream";
            request.UserAgent = SdkInfo.ClientId;
            foreach (var header in pipeline.CommonHeaders(traceId)) request.Headers[header.Key] = header.Value;
            if (!string.IsNullOrEmpty(lastEventId)) request.Headers["Last-Event-ID"] = lastEventId;

            HttpWebResponse response;
            using (var headersCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            using (headersCts.Token.Register(request.Abort))
            {
                headersCts.CancelAfter(pipeline.Settings.Timeout);
                try
                {
                    response = (HttpWebResponse)await Cancelable.OrCanceled(request.GetResponseAsync(), headersCts.Token, r => r.Dispose()).ConfigureAwait(false);
                }
                catch (WebException e) when (e.Response is HttpWebResponse && !headersCts.IsCancellationRequested)
                {
                    throw await ErrorFromAsync(pipeline, (HttpWebResponse)e.Response, traceId).ConfigureAwait(false);
                }
                catch (Exception e) when (!(e is AxmeException))
                {
                    throw Transport.Translate(e, cancellationToken, headersCts.IsCancellationRequested, pipeline.Settings.Timeout,
                        System.Net.Http.HttpMethod.Get, uri);
                }
            }
            int status = (int)response.StatusCode;
            if (status < 200 || status >= 300)
            {
                throw await ErrorFromAsync(pipeline, response, traceId).ConfigureAwait(false);
            }
            Stream body = response.GetResponseStream();
            return new OpenStream(body, () =>
            {
                request.Abort();
                response.Dispose();
            });
        }

        private static async Task<AxmeException> ErrorFromAsync(Transport pipeline, HttpWebResponse response, string traceId)
        {
            using (response)
            {
                string text;
                try
                {
                    using (var reader = new StreamReader(response.GetResponseStream(), Encoding.UTF8))
                    {
                        text = await reader.ReadToEndAsync().ConfigureAwait(false);
                    }
                }
                catch (IOException)
                {
                    text = "";
                }
                return pipeline.MapError((int)response.StatusCode, text, response.Headers["X-Request-Id"], response.Headers["Retry-After"], traceId);
            }
        }
    }
}
