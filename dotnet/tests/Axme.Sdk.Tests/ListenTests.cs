using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>ListenAsync edge cases over a scripted transport.</summary>
    [TestFixture]
    public class ListenTests
    {
        private static string Delivery(string deliveryId, string intentId, int cursor)
        {
            return "id: " + cursor + "\nevent: intent.delivery\ndata: {\"delivery_id\":\"" + deliveryId + "\",\"intent_id\":\"" + intentId +
                "\",\"attempt\":1,\"intent\":{\"intent_id\":\"" + intentId + "\",\"payload\":{}}}\n\n";
        }

        private static Task<HttpResponseMessage> Stream(string text)
        {
            var pipe = new PipeStream();
            pipe.Write(text);
            pipe.End();
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe) };
            return Task.FromResult(response);
        }

        private const string Written = "{\"ok\":true,\"applied\":true,\"intent\":{}}";
        private const string Acked = "{\"ok\":true,\"intent\":{},\"lease_expires_at\":null}";

        /// <summary>Routes by path: stream → the given frames once, then empty streams; ack/resume → JSON.</summary>
        private static FakeHandler Server(string frames, Func<string, HttpResponseMessage> ack)
        {
            var handler = new FakeHandler();
            bool served = false;
            handler.Fallback = (r, ct) =>
            {
                string path = r.RequestUri.AbsolutePath;
                if (path.EndsWith("/intents/stream"))
                {
                    string text = served ? "event: stream.timeout\ndata: {}\n\n" : frames;
                    served = true;
                    return Stream(text);
                }
                if (path.EndsWith("/ack")) return Task.FromResult(ack(r.Content.ReadAsStringAsync().Result));
                return Task.FromResult(FakeHandler.Json(200, Written));
            };
            return handler;
        }

        [Test]
        public async Task RenewsTheLeaseByReAckingWhileTheHandlerRuns()
        {
            var secondAck = new TaskCompletionSource<bool>();
            int acks = 0;
            var handler = Server(Delivery("d1", "i1", 1), r =>
            {
                if (Interlocked.Increment(ref acks) == 2) secondAck.TrySetResult(true);
                return FakeHandler.Json(200, Acked);
            });
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                int handled = await client.ListenAsync("agent://o/w/a", async ctx =>
                {
                    // Finishes only once the renewal (a second ack of the same delivery) happened.
                    Task done = await Task.WhenAny(secondAck.Task, Task.Delay(TimeSpan.FromSeconds(10)));
                    Assert.That(done, Is.SameAs(secondAck.Task), "no lease renewal while the handler ran");
                    return new JObject { { "ok", 1 } };
                }, new ListenOptions { MaxDeliveries = 1, LeaseRenewInterval = TimeSpan.FromMilliseconds(20) }, CancellationToken.None);
                Assert.That(handled, Is.EqualTo(1));
            }
            List<RecordedRequest> writes = handler.Requests.Where(r => r.Method == "POST").ToList();
            Assert.That(writes.Take(2).All(r => r.Uri.AbsolutePath == "/v1/intents/i1/ack" && r.Body == "{\"delivery_id\":\"d1\"}"), Is.True);
            RecordedRequest resume = writes.Last();
            Assert.That(resume.Uri.AbsolutePath, Is.EqualTo("/v1/intents/i1/resume"));
            Assert.That(JObject.Parse(resume.Body).ToString(Newtonsoft.Json.Formatting.None),
                Is.EqualTo("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"ok\":1},\"delivery_id\":\"d1\"}"));
            Assert.That(handler.Requests.Any(r => r.Uri.AbsolutePath.EndsWith("/resume") && r.Body.Contains("progress")), Is.False,
                "renewal is a re-ack, not a progress event");
        }

        [Test]
        public async Task HandlerExceptionFailsWithAgentError()
        {
            var handler = Server(Delivery("d1", "i1", 1), r => FakeHandler.Json(200, Acked));
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                await client.ListenAsync("a", ctx => { throw new InvalidOperationException("cannot parse the plan"); },
                    new ListenOptions { MaxDeliveries = 1 }, CancellationToken.None);
            }
            RecordedRequest fail = handler.Requests.Last(r => r.Uri.AbsolutePath.EndsWith("/resume"));
            Assert.That(JObject.Parse(fail.Body).ToString(Newtonsoft.Json.Formatting.None), Is.EqualTo(
                "{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"agent_error\",\"message\":\"cannot parse the plan\"},\"delivery_id\":\"d1\"}"));
        }

        [Test]
        public async Task StaleAndDuplicateDeliveriesAreSkippedQuietly()
        {
            string frames = Delivery("stale", "i0", 1) + Delivery("d1", "i1", 2) + Delivery("d1", "i1", 3);
            var handler = Server(frames, body => body.Contains("stale")
                ? FakeHandler.Json(409, "{\"ok\":false,\"error\":{\"code\":\"stale_delivery\",\"message\":\"old\"}}")
                : FakeHandler.Json(200, Acked));
            var seen = new List<string>();
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                int handled = await client.ListenAsync("a", ctx =>
                {
                    lock (seen) seen.Add(ctx.DeliveryId);
                    return Task.FromResult<JObject>(null);
                }, new ListenOptions { MaxDeliveries = 1 }, CancellationToken.None);
                Assert.That(handled, Is.EqualTo(1));
            }
            Assert.That(seen, Is.EqualTo(new[] { "d1" }));
            Assert.That(handler.Requests.Count(r => r.Uri.AbsolutePath.EndsWith("/resume")), Is.EqualTo(1));
        }

        [Test]
        public void CancellationStopsTheListenerWithoutResolvingAnything()
        {
            var handler = Server(Delivery("d1", "i1", 1), r => FakeHandler.Json(200, Acked));
            var started = new TaskCompletionSource<bool>();
            using (var cts = new CancellationTokenSource())
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Task listening = client.ListenAsync("a", async ctx =>
                {
                    started.TrySetResult(true);
                    await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
                    return null;
                }, cts.Token);
                Assert.That(started.Task.Wait(TimeSpan.FromSeconds(10)), Is.True);
                cts.Cancel();
                Assert.That(() => listening.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
            }
            Assert.That(handler.Requests.Any(r => r.Uri.AbsolutePath.EndsWith("/resume") || r.Uri.AbsolutePath.EndsWith("/resolve")), Is.False,
                "REQ-TIMEOUT-004: cancelling never writes to the intent");
        }

        [Test]
        public void AuthenticationErrorStopsTheListener()
        {
            var handler = new FakeHandler().ThenJson(401, "{\"ok\":false,\"error\":{\"code\":\"unauthorized\",\"message\":\"bad key\"}}");
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Assert.Throws<AuthenticationException>(() =>
                    client.ListenAsync("a", ctx => Task.FromResult<JObject>(null), CancellationToken.None).GetAwaiter().GetResult());
            }
        }

        [Test]
        public async Task ServerErrorsAreRetriedWithBackoff()
        {
            var sleeps = new List<TimeSpan>();
            var handler = new FakeHandler()
                .ThenJson(503, "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"down\"}}")
                .ThenJson(429, "{\"ok\":false,\"error\":{\"code\":\"rate_limited\",\"message\":\"slow\"}}", FakeHandler.Header("Retry-After", "2"));
            FakeHandler inner = Server(Delivery("d1", "i1", 1), r => FakeHandler.Json(200, Acked));
            handler.Fallback = inner.Fallback;
            using (var client = TestClients.Create(handler, sleeps))
            {
                int handled = await client.ListenAsync("a", ctx => Task.FromResult<JObject>(null),
                    new ListenOptions { MaxDeliveries = 1 }, CancellationToken.None);
                Assert.That(handled, Is.EqualTo(1));
            }
            Assert.That(sleeps.Count, Is.EqualTo(2));
            Assert.That(sleeps[0].TotalMilliseconds, Is.InRange(250, 500));
            Assert.That(sleeps[1], Is.EqualTo(TimeSpan.FromSeconds(2)), "Retry-After honoured");
        }
    }
}
