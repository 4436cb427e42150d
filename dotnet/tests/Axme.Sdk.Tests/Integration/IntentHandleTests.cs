using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>The intent handle against the real reference server (REQ-CLIENT-010).</summary>
    [TestFixture]
    public class IntentHandleTests
    {
        [Test]
        public async Task SubmitIntentReturnsAHandleThatCompletesWaitsAndObserves()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await IntentTests.RegisterAsync(admin, "worker");
                IntentHandle handle = await admin.SubmitIntentAsync(IntentTests.Intent("worker"));
                Assert.That(handle.Created, Is.Not.Null);
                Assert.That((await handle.GetAsync()).Status, Is.EqualTo(IntentStatus.Submitted));
                IntentWriteResponse written = await handle.CompleteAsync(new JObject { { "answer", 42 } });
                Assert.That(written.Intent.Status, Is.EqualTo(IntentStatus.Completed));
                Intent done = await handle.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That((int)done.Result["answer"], Is.EqualTo(42));
                IReadOnlyList<IntentEvent> events = await handle.Observe().ToListAsync();
                Assert.That(events.Last().Status, Is.EqualTo(IntentStatus.Completed));
            }
        }

        [Test]
        public async Task FailAndCancelEndTheIntent()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await IntentTests.RegisterAsync(admin, "worker");
                IntentHandle failing = await admin.SubmitIntentAsync(IntentTests.Intent("worker"));
                await failing.FailAsync("the plan is invalid");
                Intent failed = await failing.WaitAsync(TimeSpan.FromSeconds(10));
                Assert.That(failed.Status, Is.EqualTo(IntentStatus.Failed));
                Assert.That(failed.Error.Code, Is.EqualTo("failed"));
                Assert.That(failed.Error.Message, Is.EqualTo("the plan is invalid"));
                IntentHandle explicitCode = await admin.SubmitIntentAsync(IntentTests.Intent("worker"));
                await explicitCode.FailAsync(new IntentError("plan_invalid", "no"));
                Assert.That((await explicitCode.GetAsync()).Error.Code, Is.EqualTo("plan_invalid"));
                IntentHandle canceled = await admin.SubmitIntentAsync(IntentTests.Intent("worker"));
                await canceled.CancelAsync("no longer needed");
                IntentHandle again = admin.Intent(canceled.IntentId);
                Assert.That(again.Created, Is.Null);
                Assert.That((await again.WaitAsync(TimeSpan.FromSeconds(10))).Status, Is.EqualTo(IntentStatus.Canceled));
                Assert.Throws<ArgumentException>(() => admin.Intent(""));
                Assert.Throws<ArgumentNullException>(() => again.FailAsync((IntentError)null).GetAwaiter().GetResult());
            }
        }
    }
}
