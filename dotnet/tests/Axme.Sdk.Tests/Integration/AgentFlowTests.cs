using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>listen / observe / wait_for end to end on the reference server.</summary>
    [TestFixture]
    public class AgentFlowTests
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

        [Test]
        public async Task AgentCompletesAndObserverSeesEveryEventOnce()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                Task<IReadOnlyList<IntentEvent>> observed = admin.Observe(id).ToListAsync();
                using (AxmeClient agent = ns.Client(agentKey))
                using (var stop = new CancellationTokenSource(Deadline))
                {
                    int handled = await agent.ListenAsync("worker", async ctx =>
                    {
                        Assert.That(ctx.Intent.Payload.Value<string>("change"), Is.EqualTo("migrate"));
                        await ctx.ReportProgressAsync(new JObject { { "step", "validating" } });
                        return new JObject { { "valid", true } };
                    }, new ListenOptions { MaxDeliveries = 1 }, stop.Token);
                    Assert.That(handled, Is.EqualTo(1));
                }
                Intent done = await admin.WaitForAsync(id, Deadline);
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That(done.Result.Value<bool>("valid"), Is.True);

                IReadOnlyList<IntentEvent> events = await observed;
                var seqs = events.Select(e => e.Seq ?? 0).ToList();
                Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, seqs.Count).Select(i => (long)i).ToList()), "in order, none lost or repeated");
                Assert.That(events.First().EventType, Is.EqualTo("intent.submitted"));
                Assert.That(events.Last().EventType, Is.EqualTo("intent.completed"));
                Assert.That(events.Any(e => e.EventType == "intent.acknowledged"), Is.True);
                Assert.That(events.Any(e => e.EventType == "intent.progress"), Is.True);
            }
        }

        [Test]
        public async Task ResumeIntentWithSendsAnyBodyAndFailIntentDefaultsTheCode()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "writer");
                string id = await admin.SendIntentAsync(IntentTests.Intent("writer"));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    DeliveryPollResponse polled = await agent.PollAgentDeliveriesAsync("writer", null, 5, null);
                    string deliveryId = polled.Deliveries.Single().DeliveryId;
                    var progress = new JObject { { "kind", "progress" }, { "details", new JObject { { "pct", 10 } } }, { "delivery_id", deliveryId } };
                    IntentWriteResponse moved = await agent.ResumeIntentWithAsync(id, AxmeModel.FromJson<ResumeBody>(progress));
                    Assert.That(moved.Intent.Status, Is.EqualTo(IntentStatus.InProgress));
                    // Sent as given: a bare object without kind or action is the server's 422.
                    Assert.Throws<ValidationException>(() => agent.ResumeIntentWithAsync(id,
                        AxmeModel.FromJson<ResumeBody>(new JObject { { "answer", 42 } })).GetAwaiter().GetResult());
                    var stale = Assert.Throws<ConflictException>(() =>
                        agent.ResumeIntentAsync(id, new JObject(), "not-the-current-delivery").GetAwaiter().GetResult());
                    Assert.That(stale.Code, Is.EqualTo("stale_delivery"));
                    IntentWriteResponse failed = await agent.FailIntentAsync(id, new IntentError { Message = "no code given" }, deliveryId);
                    Assert.That(failed.Intent.Status, Is.EqualTo(IntentStatus.Failed));
                    Assert.That(failed.Intent.Error.Code, Is.EqualTo("agent_error"));
                    Assert.That(failed.Intent.Error.Message, Is.EqualTo("no code given"));
                }
            }
        }

        [Test]
        public async Task HumanApprovalGateWaitsThenCompletes()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "validator");
                var task = new HumanTask { Title = "Approve the migration", TaskType = "approval" };
                string id = await admin.SendIntentAsync(IntentTests.Intent("validator", task));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    await agent.ListenAsync("validator", ctx => Task.FromResult(new JObject { { "checked", 3 } }),
                        new ListenOptions { MaxDeliveries = 1 }, new CancellationTokenSource(Deadline).Token);
                }
                // The agent step is done; the human step holds the intent.
                IntentEventStream.Enumerator events = admin.Observe(id).GetAsyncEnumerator();
                try
                {
                    while (await events.MoveNextAsync() && events.Current.Status != IntentStatus.Waiting) { }
                    Assert.That(events.Current.Status, Is.EqualTo(IntentStatus.Waiting));
                }
                finally
                {
                    await events.DisposeAsync();
                }
                Intent waiting = (await admin.GetIntentAsync(id)).Intent;
                Assert.That(waiting.WaitingReason, Is.EqualTo(WaitingReason.WaitingForHuman));
                TaskListResponse tasks = await admin.ListTasksAsync(status: "pending");
                Assert.That(tasks.Tasks.Any(t => t.IntentId == id), Is.True);

                await admin.ApproveTaskAsync(id, "looks safe");
                Intent done = await admin.WaitForAsync(id, Deadline);
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                AuditResponse audit = await admin.GetIntentAuditAsync(id);
                Assert.That(audit.Audit.Any(a => a.Comment == "looks safe"), Is.True);
            }
        }

        [Test]
        public async Task HandlerExceptionFailsTheIntentAndTheNextListenerIsServed()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "worker");
                string first = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    await agent.ListenAsync("worker", ctx => { throw new InvalidOperationException("disk full"); },
                        new ListenOptions { MaxDeliveries = 1 }, new CancellationTokenSource(Deadline).Token);
                }
                Intent failed = await admin.WaitForAsync(first, Deadline);
                Assert.That(failed.Status, Is.EqualTo(IntentStatus.Failed));
                Assert.That(failed.Error.Code, Is.EqualTo("agent_error"), "REQ-LISTEN-003");
                Assert.That(failed.Error.Message, Is.EqualTo("disk full"));

                // A second listener gets the next intent at once: closing the first one's stream
                // really closed its connection (otherwise the server would lease it to a dead reader).
                // The recorder logs a stream when it ends, so wait (bounded) for the server to see the close.
                await WaitUntilAsync(() => ns.Requests().Count(r => r.Value<string>("op") == "streamAgentDeliveries") >= 1,
                    TimeSpan.FromSeconds(10), "the server never saw the first listener's stream close");
                string second = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    await agent.ListenAsync("worker", ctx => Task.FromResult<JObject>(null),
                        new ListenOptions { MaxDeliveries = 1 }, new CancellationTokenSource(Deadline).Token);
                }
                Intent done = await admin.WaitForAsync(second, Deadline);
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That(done.Result.Count, Is.EqualTo(0), "a null result completes with {}");
            }
        }

        [Test]
        public async Task WaitForTimesOutWithoutTouchingTheIntent()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await IntentTests.RegisterAsync(admin, "idle");
                string id = await admin.SendIntentAsync(IntentTests.Intent("idle"));
                var e = Assert.Throws<WaitTimeoutException>(() => admin.WaitForAsync(id, TimeSpan.FromMilliseconds(300)).GetAwaiter().GetResult());
                Assert.That(e.IntentId, Is.EqualTo(id));
                Assert.That(e.LastStatus, Is.EqualTo(IntentStatus.Submitted));
                Assert.That((await admin.GetIntentAsync(id)).Intent.Status, Is.EqualTo(IntentStatus.Submitted));

                using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
                {
                    Assert.That(() => admin.WaitForAsync(id, null, cts.Token).GetAwaiter().GetResult(),
                        Throws.InstanceOf<OperationCanceledException>(), "caller cancellation is not a WaitTimeout");
                }
            }
        }

        [Test]
        public async Task ObserveResumesAfterTheServerDropsTheStream()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(IntentTests.Intent("worker"));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    await agent.ListenAsync("worker", async ctx =>
                    {
                        await ctx.ReportProgressAsync();
                        return new JObject();
                    }, new ListenOptions { MaxDeliveries = 1 }, new CancellationTokenSource(Deadline).Token);
                }
                await admin.WaitForAsync(id, Deadline);
                // WaitForAsync reads the same stream (one request, REQ-WAIT-005): count only observe's.
                int before = ns.Requests().Count(r => r.Value<string>("op") == "streamIntentEvents");
                ns.AddFault(new JObject { { "op", "streamIntentEvents" } },
                    new JObject { { "type", "drop_stream" }, { "after_events", 2 }, { "times", 1 } });
                IReadOnlyList<IntentEvent> events = await admin.Observe(id).ToListAsync();
                var seqs = events.Select(e => e.Seq ?? 0).ToList();
                Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, seqs.Count).Select(i => (long)i).ToList()));
                Assert.That(IntentStatus.IsTerminal(events.Last().Status), Is.True);
                var streams = ns.Requests().Where(r => r.Value<string>("op") == "streamIntentEvents").Skip(before).ToList();
                Assert.That(streams.Count, Is.EqualTo(2), "one reconnect");
                Assert.That(streams[1]["headers"].Value<string>("last-event-id"), Is.EqualTo("2"));
            }
        }

        internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!condition())
            {
                if (clock.Elapsed > limit) Assert.Fail(what);
                await Task.Delay(50);
            }
        }
    }
}
