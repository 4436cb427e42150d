using System;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>The streaming ops: `observe` (one line per event) and `listen` (one line per delivery).</summary>
    internal static class Streams
    {
        public static async Task ObserveAsync(AxmeClient client, long id, JObject args, CancellationToken ct)
        {
            var options = new ObserveOptions
            {
                Since = args.Value<long?>("since"),
                UntilTerminal = args.Value<bool?>("until_terminal") ?? true,
            };
            IntentEventStream.Enumerator events = client.Observe(args.Value<string>("intent_id"), options, ct).GetAsyncEnumerator();
            try
            {
                while (await events.MoveNextAsync().ConfigureAwait(false))
                {
                    Program.Write(new JObject { { "id", id }, { "event", events.Current.ToJson() } });
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            Program.Write(new JObject { { "id", id }, { "done", true } });
        }

        public static async Task ListenAsync(AxmeClient client, long id, JObject args, CancellationTokenSource cts)
        {
            int? max = args.Value<int?>("max_deliveries");
            bool crashed = false;
            Func<DeliveryContext, Task<JObject>> run = Handler(id, args, () =>
            {
                crashed = true;
                cts.Cancel(); // the "process" dies: nothing is resumed, the lease runs out
            });
            try
            {
                await client.ListenAsync(args.Value<string>("address"), run, new ListenOptions { MaxDeliveries = max }, cts.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (crashed)
            {
            }
            Program.Write(new JObject { { "id", id }, { "done", true } });
        }

        /// <summary>The handler listen and push_receiver run: writes the delivery line, then acts; crash calls <paramref name="onCrash"/>.</summary>
        internal static Func<DeliveryContext, Task<JObject>> Handler(long id, JObject args, Action onCrash)
        {
            JObject handler = args["handler"] as JObject ?? new JObject { { "action", "complete" } };
            return async context =>
            {
                Program.Write(new JObject { { "id", id }, { "delivery", context.Delivery.ToJson().DeepClone() } });
                string action = handler.Value<string>("action");
                switch (action)
                {
                    case "complete":
                        return Result(handler);
                    case "fail":
                        {
                            // The SDK turns any handler exception into {code: agent_error, message} (REQ-LISTEN-003).
                            var error = handler["error"] as JObject;
                            string message = error == null ? null : error.Value<string>("message");
                            throw new HandlerFailure(string.IsNullOrEmpty(message) ? "failed" : message);
                        }
                    case "crash":
                        onCrash();
                        throw new AbandonDeliveryException();
                    case "progress_then_complete":
                        {
                            int count = handler.Value<int?>("progress_count") ?? 1;
                            int delayMs = handler.Value<int?>("delay_ms") ?? 0;
                            for (int i = 0; i < count; i++)
                            {
                                if (delayMs > 0) await Task.Delay(delayMs, context.CancellationToken).ConfigureAwait(false);
                                await context.ReportProgressAsync(new JObject { { "step", i + 1 } }).ConfigureAwait(false);
                            }
                            return Result(handler);
                        }
                    default:
                        throw new InvalidOperationException("unknown handler action '" + action + "'");
                }
            };
        }

        private sealed class HandlerFailure : Exception
        {
            public HandlerFailure(string message) : base(message) { }
        }

        private static JObject Result(JObject handler)
        {
            var result = handler["result"] as JObject;
            return result == null ? new JObject() : (JObject)result.DeepClone();
        }
    }
}
