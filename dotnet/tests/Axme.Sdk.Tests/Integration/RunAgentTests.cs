using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>
    /// REQ-LISTEN-007: RunAgentAsync serves until SIGINT/SIGTERM or the caller's token, lets the handler in
    /// hand finish within the grace, abandons it after without a write, and returns without an exception.
    /// The drain is driven through the token; the signals through a child process (tests/RunAgentProbe).
    /// </summary>
    [TestFixture]
    public class RunAgentTests
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

        /// <summary>A fresh namespace, its admin client, an agent's client and the token that stops it.</summary>
        private static async Task WithAgentAsync(string name, Func<Namespace, AxmeClient, AxmeClient, CancellationTokenSource, Task> test)
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            using (AxmeClient agent = ns.Client(await IntentTests.RegisterAsync(admin, name)))
            using (var stop = new CancellationTokenSource())
            {
                await test(ns, admin, agent, stop);
            }
        }

        [Test]
        public async Task CancelLetsTheDeliveryInHandFinishAndTakesNoOther()
        {
            await WithAgentAsync("drainer", async (ns, admin, agent, stop) =>
            {
                var inHand = new TaskCompletionSource<string>();
                var release = new TaskCompletionSource<bool>();
                int calls = 0;
                Task<int> running = agent.RunAgentAsync("drainer", async ctx =>
                {
                    Interlocked.Increment(ref calls);
                    inHand.TrySetResult(ctx.IntentId);
                    await release.Task;
                    ctx.CancellationToken.ThrowIfCancellationRequested();
                    return new JObject { { "finished", true } };
                }, null, null, stop.Token);
                string first = await admin.SendIntentAsync(IntentTests.Intent("drainer"));
                Assert.That(await Within(inHand.Task), Is.EqualTo(first));
                stop.Cancel();
                string second = await admin.SendIntentAsync(IntentTests.Intent("drainer"));
                release.SetResult(true);
                Assert.That(await Within(running), Is.EqualTo(1), "returns the count, no exception");
                Intent done = (await admin.GetIntentAsync(first)).Intent;
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That(done.Result.Value<bool>("finished"), Is.True);
                var events = await admin.Observe(first).ToListAsync();
                Assert.That(events.Count(e => e.EventType == "intent.delivered"), Is.EqualTo(1), "one delivery");
                Assert.That(calls, Is.EqualTo(1), "no delivery is taken after the stop");
                string left = (await admin.GetIntentAsync(second)).Intent.Status;
                Assert.That(IntentStatus.IsTerminal(left) || left == IntentStatus.Acknowledged, Is.False, left);
            });
        }

        [TestCase(0)]
        [TestCase(200)]
        public async Task GraceOverAbandonsTheHandlerWithoutAWrite(int graceMs)
        {
            await WithAgentAsync("stuck", async (ns, admin, agent, stop) =>
            {
                var inHand = new TaskCompletionSource<bool>();
                var never = new TaskCompletionSource<JObject>(); // ignores its token: the grace must not wait for it
                Task<int> running = agent.RunAgentAsync("stuck", ctx =>
                {
                    inHand.TrySetResult(true);
                    return never.Task;
                }, TimeSpan.FromMilliseconds(graceMs), null, stop.Token);
                string id = await admin.SendIntentAsync(IntentTests.Intent("stuck"));
                await Within(inHand.Task);
                var clock = Stopwatch.StartNew();
                stop.Cancel();
                await Within(running, TimeSpan.FromMilliseconds(graceMs + 3000));
                Assert.That(clock.ElapsedMilliseconds, Is.GreaterThanOrEqualTo(graceMs - 20), "waited for the grace");
                never.SetResult(new JObject { { "late", true } });
                string status = (await admin.GetIntentAsync(id)).Intent.Status;
                Assert.That(IntentStatus.IsTerminal(status), Is.False, status);
                Assert.That(ns.Requests().Any(r => r.Value<string>("path").EndsWith("/resume")), Is.False, "no resume after the grace");
            });
        }

        [Test]
        public async Task IdleAgentReturnsAtOnce()
        {
            await WithAgentAsync("idler", async (ns, admin, agent, stop) =>
            {
                Task<int> running = agent.RunAgentAsync("idler", ctx => Task.FromResult<JObject>(null), null, null, stop.Token);
                stop.Cancel();
                Assert.That(await Within(running, TimeSpan.FromSeconds(2)), Is.EqualTo(0));
            });
        }

        [TestCase("TERM")]
        [TestCase("INT")]
        public async Task SignalledAgentFinishesItsDeliveryAndExitsZero(string signal)
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "signalled");
                string id = await admin.SendIntentAsync(IntentTests.Intent("signalled"));
                var info = new ProcessStartInfo("mono", "\"" + Path.Combine(AppDomain.CurrentDomain.BaseDirectory, "RunAgentProbe.exe") + "\" signalled")
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardInput = true,
                };
                info.EnvironmentVariables["AXME_BASE_URL"] = ReferenceServer.Shared.BaseUrl;
                info.EnvironmentVariables["AXME_API_KEY"] = agentKey;
                using (Process probe = Process.Start(info))
                {
                    try
                    {
                        Expect(probe, "in hand " + id);
                        using (Process kill = Process.Start("kill", "-" + signal + " " + probe.Id)) kill.WaitForExit();
                        Expect(probe, "stopping");
                        probe.StandardInput.WriteLine("finish");
                        probe.StandardInput.Flush();
                        Expect(probe, "RunAgentAsync returned 1");
                        Assert.That(probe.WaitForExit(10000), Is.True, "exits by itself");
                        Assert.That(probe.ExitCode, Is.EqualTo(0), "SIG" + signal + " is how an agent ends, not a failure");
                    }
                    finally
                    {
                        if (!probe.HasExited) probe.Kill();
                    }
                }
                Assert.That((await admin.GetIntentAsync(id)).Intent.Status, Is.EqualTo(IntentStatus.Completed));
            }
        }

        private static void Expect(Process probe, string text)
        {
            Task<string> line = probe.StandardOutput.ReadLineAsync();
            while (line.Wait(Deadline) && line.Result != null)
            {
                if (line.Result.Contains(text)) return;
                line = probe.StandardOutput.ReadLineAsync();
            }
            Assert.Fail("the probe's output ended before \"" + text + "\"");
        }

        private static async Task<T> Within<T>(Task<T> task, TimeSpan? limit = null)
        {
            if (await Task.WhenAny(task, Task.Delay(limit ?? Deadline)) != task) Assert.Fail("not done within " + (limit ?? Deadline));
            return await task;
        }
    }
}
