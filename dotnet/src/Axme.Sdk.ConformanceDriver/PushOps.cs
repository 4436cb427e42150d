using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>The push_receiver op: the SDK's PushReceiver on a free 127.0.0.1 port until max_deliveries were handled or cancelled.</summary>
    internal static class PushOps
    {
        public static async Task ReceiveAsync(AxmeClient client, long id, JObject args, CancellationToken ct)
        {
            int wanted = args.Value<int?>("max_deliveries") ?? 1;
            int handled = 0;
            var enough = new TaskCompletionSource<bool>();
            Func<DeliveryContext, Task<JObject>> inner = Streams.Handler(id, args, () => { });
            Func<DeliveryContext, Task<JObject>> counting = async context =>
            {
                try
                {
                    return await inner(context).ConfigureAwait(false);
                }
                finally
                {
                    if (wanted > 0 && Interlocked.Increment(ref handled) >= wanted) enough.TrySetResult(true);
                }
            };
            var secrets = new List<string>();
            foreach (JToken secret in (args["secrets"] as JArray) ?? new JArray()) secrets.Add((string)secret);
            var verifier = new PushVerifier(secrets.ToArray());
            double? tolerance = args.Value<double?>("tolerance_s");
            if (tolerance.HasValue) verifier.Tolerance = TimeSpan.FromSeconds(tolerance.Value);
            int port = FreePort();
            string url = "http://127.0.0.1:" + port + "/";
            var receiver = new PushReceiver(client, counting, verifier, url);
            receiver.Start();
            try
            {
                Program.Write(new JObject { { "id", id }, { "receiver", new JObject { { "url", url } } } });
                using (ct.Register(() => enough.TrySetCanceled()))
                {
                    await enough.Task.ConfigureAwait(false);
                }
            }
            finally
            {
                await receiver.StopAsync().ConfigureAwait(false); // the deliveries being resumed finish first
                receiver.Dispose();
            }
            Program.Write(new JObject { { "id", id }, { "done", true } });
        }

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }
    }
}
