using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>RetryIntentAsync against the real reference server (REQ-REATTEMPT-002/005/008/009).</summary>
    [TestFixture]
    public class RetryIntentTests
    {
        [Test]
        public async Task ARetryStartsANewAttemptThatWaitAndObserveFollow()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await IntentTests.RegisterAsync(admin, "worker");
                IntentHandle failed = await admin.SubmitIntentAsync(IntentTests.Intent("worker"));
                await failed.FailAsync("flaky");
                RetryIntentResponse retried = await admin.RetryIntentAsync(failed.IntentId, new RetryIntentRequest { Reason = "again" });
                Assert.That(retried.RetryOf, Is.EqualTo(failed.IntentId));
                Assert.That(retried.Attempt, Is.EqualTo(2));
                Assert.That(retried.FromStep, Is.EqualTo("agent"));
                ConflictException again = Assert.Throws<ConflictException>(
                    () => admin.RetryIntentAsync(failed.IntentId, new RetryIntentRequest()).GetAwaiter().GetResult());
                Assert.That(again.Code, Is.EqualTo("invalid_transition"));
                await admin.Intent(retried.IntentId).CompleteAsync(new JObject { { "ok", true } });
                Intent done = await admin.WaitForAsync(failed.IntentId, TimeSpan.FromSeconds(10));
                Assert.That(done.IntentId, Is.EqualTo(retried.IntentId));
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                IReadOnlyList<IntentEvent> events = await admin.Observe(failed.IntentId).ToListAsync();
                Assert.That(events.Select(e => (e.IntentId == failed.IntentId ? "old " : "new ") + e.EventType), Is.EqualTo(new[] {
                    "old intent.submitted", "old intent.failed", "new intent.submitted", "new intent.completed" }));
            }
        }
    }
}
