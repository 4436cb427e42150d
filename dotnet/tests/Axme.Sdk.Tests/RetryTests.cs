using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Http;
using Axme.Sdk.Models;
using Axme.Sdk.Tests.Support;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    [TestFixture]
    public class RetryTests
    {
        private const string Unavailable = "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"down\",\"category\":\"transport\",\"retryable\":true}}";
        private const string Created = "{\"ok\":true,\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\",\"created_at\":\"2026-11-21T10:00:00.000Z\"}";

        private static CreateIntentRequest Request()
        {
            return new CreateIntentRequest { IntentType = "intent.demo.v1", ToAgent = "agent://o/w/a", Payload = new Newtonsoft.Json.Linq.JObject() };
        }

        [Test]
        public async Task RetriesServerErrorsThenSucceedsReusingIdempotencyKeyAndTraceId()
        {
            var handler = new FakeHandler().ThenJson(503, Unavailable).ThenJson(502, "bad gateway").ThenJson(200, Created);
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                string id = await client.SendIntentAsync(Request());
                Assert.That(id, Is.EqualTo("i-1"));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(3));
            string key = handler.Requests[0].Header("Idempotency-Key");
            string trace = handler.Requests[0].Header("X-Trace-Id");
            Assert.That(key, Is.Not.Null.And.Not.Empty);
            foreach (var r in handler.Requests)
            {
                Assert.That(r.Header("Idempotency-Key"), Is.EqualTo(key));
                Assert.That(r.Header("X-Trace-Id"), Is.EqualTo(trace));
                Assert.That(r.Body, Is.EqualTo(handler.Requests[0].Body));
            }
            Assert.That(sleeps.Count, Is.EqualTo(2));
        }

        [Test]
        public void BackoffIsExponentialCappedAndUniformBetweenHalfAndFull()
        {
            var policy = new RetryPolicy(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(8), new Random(7));
            double[] ceilings = { 500, 1000, 2000, 4000, 8000, 8000, 8000 };
            for (int n = 0; n < ceilings.Length; n++)
            {
                for (int sample = 0; sample < 50; sample++)
                {
                    double ms = policy.Backoff(n).TotalMilliseconds;
                    Assert.That(ms, Is.InRange(ceilings[n] * 0.5, ceilings[n]), "retry " + n);
                }
            }
        }

        [Test]
        public async Task SleepsTheBackoffBetweenAttempts()
        {
            var handler = new FakeHandler().ThenJson(500, Unavailable).ThenJson(500, Unavailable).ThenJson(200, Created);
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                await client.SendIntentAsync(Request());
            }
            Assert.That(sleeps[0].TotalMilliseconds, Is.InRange(250, 500));
            Assert.That(sleeps[1].TotalMilliseconds, Is.InRange(500, 1000));
        }

        [Test]
        public async Task HonoursRetryAfterSeconds()
        {
            var handler = new FakeHandler()
                .ThenJson(429, "{\"ok\":false,\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}", FakeHandler.Header("Retry-After", "3"))
                .ThenJson(200, TestClients.IntentJson);
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                await client.GetIntentAsync("i-1");
            }
            Assert.That(sleeps, Is.EqualTo(new[] { TimeSpan.FromSeconds(3) }));
        }

        [Test]
        public async Task HonoursRetryAfterHttpDate()
        {
            string date = DateTimeOffset.UtcNow.AddSeconds(20).ToString("r", CultureInfo.InvariantCulture);
            var handler = new FakeHandler()
                .ThenJson(503, Unavailable, FakeHandler.Header("Retry-After", date))
                .ThenJson(200, TestClients.IntentJson);
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                await client.GetIntentAsync("i-1");
            }
            Assert.That(sleeps.Count, Is.EqualTo(1));
            Assert.That(sleeps[0].TotalSeconds, Is.InRange(15.0, 20.0));
        }

        [Test]
        public void RetryAfterAboveSixtySecondsRaisesAtOnce()
        {
            var handler = new FakeHandler().ThenJson(429, "{\"ok\":false,\"error\":{\"code\":\"rate_limited\",\"message\":\"later\"}}",
                FakeHandler.Header("Retry-After", "120"));
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                var e = Assert.Throws<RateLimitException>(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                Assert.That(e.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(120)));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
            Assert.That(sleeps, Is.Empty);
        }

        [Test]
        public void GivesUpAfterMaxRetriesWithTheLastError()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(503, Unavailable));
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 3))
            {
                var e = Assert.Throws<ServerException>(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                Assert.That(e.Status, Is.EqualTo(503));
                Assert.That(e.Code, Is.EqualTo("unavailable"));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(4));
        }

        [Test]
        public void DoesNotRetryClientErrors()
        {
            var handler = new FakeHandler().ThenJson(409, "{\"ok\":false,\"error\":{\"code\":\"intent_terminal\",\"message\":\"done\"}}");
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Assert.Throws<ConflictException>(() => client.CancelIntentAsync("i-1").GetAwaiter().GetResult());
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
        }

        [Test]
        public void RetriesConnectionErrorsThenRaisesAxmeConnectionException()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => { throw new HttpRequestException("connection refused"); };
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                var e = Assert.Throws<AxmeConnectionException>(() => client.GetHealthAsync().GetAwaiter().GetResult());
                Assert.That(e.Message.Contains("connection refused"), Is.True, e.Message);
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(3));
        }

        [Test]
        public void AttemptTimeoutIsAxmeTimeoutExceptionAndIsRetried()
        {
            var handler = new FakeHandler();
            handler.Fallback = async (r, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return null;
            };
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 1, timeout: TimeSpan.FromMilliseconds(50)))
            {
                Assert.Throws<AxmeTimeoutException>(() => client.GetHealthAsync().GetAwaiter().GetResult());
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(2));
        }

        [Test]
        public void CancellationDuringBackoffStopsRetrying()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(503, Unavailable));
            using (var cts = new CancellationTokenSource())
            using (var client = TestClients.Create(handler, null, maxRetries: 5))
            {
                client.Pipeline.Retry.Sleep = (delay, ct) =>
                {
                    cts.Cancel(); // the caller gives up while we wait to retry
                    return Task.Delay(delay, ct);
                };
                Assert.That(() => client.GetIntentAsync("i-1", cts.Token).GetAwaiter().GetResult(),
                    Throws.InstanceOf<OperationCanceledException>());
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
        }

        [Test]
        public void CancellationDuringTheRequestIsNotRetriedNorReportedAsTimeout()
        {
            var started = new TaskCompletionSource<bool>();
            var handler = new FakeHandler();
            handler.Fallback = async (r, ct) =>
            {
                started.TrySetResult(true);
                await Task.Delay(Timeout.Infinite, ct);
                return null;
            };
            using (var cts = new CancellationTokenSource())
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Task call = client.GetIntentAsync("i-1", cts.Token);
                started.Task.Wait(TimeSpan.FromSeconds(10));
                cts.Cancel();
                Assert.That(() => call.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
        }
    }
}
