using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>Streams on the real server: raw operations, idle reconnect, prompt cancellation.</summary>
    [TestFixture]
    public class StreamTests
    {
        [Test]
        public async Task RawStreamOperationsReadOneConnection()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                using (AxmeClient agent = ns.Client(agentKey))
                using (ServerEventStream<Delivery> deliveries = await agent.StreamAgentDeliveriesAsync("worker", waitSeconds: 5))
                {
                    Assert.That(await deliveries.MoveNextAsync(), Is.True);
                    Assert.That(deliveries.Current.IntentId, Is.EqualTo(id));
                    Assert.That(deliveries.CurrentId, Is.Not.Null.And.Not.Empty, "the delivery cursor");
                }
                await admin.CancelIntentAsync(id);
                var seen = new List<IntentEvent>();
                using (ServerEventStream<IntentEvent> events = await admin.StreamIntentEventsAsync(id))
                {
                    while (await events.MoveNextAsync()) seen.Add(events.Current);
                }
                Assert.That(seen.First().EventType, Is.EqualTo(EventType.IntentSubmitted));
                Assert.That(seen.Last().Status, Is.EqualTo(IntentStatus.Canceled), "the server ends the stream after the terminal event");
                var missing = Assert.Throws<NotFoundException>(() => admin.StreamIntentEventsAsync(Guid.NewGuid().ToString()).GetAwaiter().GetResult());
                Assert.That(missing.Code, Is.EqualTo("intent_not_found"));
            }
        }

        [Test]
        public async Task IdleConnectionsAreReplacedAndObserveStillSeesTheEnd()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            var config = new AxmeClientConfig
            {
                BaseUrl = ReferenceServer.Shared.BaseUrl,
                ApiKey = ns.AdminKey,
                RetryBaseDelay = TimeSpan.FromMilliseconds(20),
                StreamIdleTimeout = TimeSpan.FromMilliseconds(600), // the server's keepalive is every 15 s
            };
            using (var admin = new AxmeClient(config))
            {
                await IntentTests.RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                Task<IReadOnlyList<IntentEvent>> observed = admin.Observe(id).ToListAsync();
                // Wait (bounded) until observe has replaced at least one idle connection.
                var clock = Stopwatch.StartNew();
                while (StreamRequests(ns) < 2 && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(100);
                Assert.That(StreamRequests(ns), Is.GreaterThanOrEqualTo(2), "idle stream was not reconnected");
                await admin.CancelIntentAsync(id);
                IReadOnlyList<IntentEvent> events = await observed;
                Assert.That(events.Select(e => e.Seq ?? 0).ToList(), Is.EqualTo(new List<long> { 1, 2 }));
                Assert.That(events.Last().Status, Is.EqualTo(IntentStatus.Canceled));
            }
        }

        [Test]
        public async Task CancellingObserveAndListenClosesThemPromptly()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await IntentTests.RegisterAsync(admin, "quiet");
                await IntentTests.RegisterAsync(admin, "nobody-sends-here");
                string id = await admin.SendIntentAsync(IntentTests.Intent("quiet"));
                foreach (Func<CancellationToken, Task> run in new Func<CancellationToken, Task>[]
                {
                    ct => admin.Observe(id, ct).ToListAsync(),
                    ct => admin.ListenAsync("nobody-sends-here", ctx => Task.FromResult<JObject>(null), ct),
                })
                {
                    using (var cts = new CancellationTokenSource())
                    {
                        Task running = run(cts.Token);
                        await Task.Delay(300);
                        Assert.That(running.IsCompleted, Is.False, "still streaming before the cancel");
                        cts.Cancel();
                        Task finished = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(5)));
                        Assert.That(finished, Is.SameAs(running), "REQ-TIMEOUT-003: cancellation must end the call promptly");
                        Assert.That(() => running.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
                    }
                }
                Assert.That((await admin.GetIntentAsync(id)).Intent.Status, Is.EqualTo(IntentStatus.Submitted), "the intent is untouched");
            }
        }

        private static int StreamRequests(Namespace ns)
        {
            // The recorder writes a stream request when it ends, so count ended connections.
            return ns.Requests().Count(r => r.Value<string>("op") == "streamIntentEvents");
        }
    }
}
