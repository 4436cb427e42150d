using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Tests.Support;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>WaitForAsync makes one request, its event stream (REQ-WAIT-005).</summary>
    [TestFixture]
    public class WaitTests
    {
        private const string Id = "11111111-1111-1111-1111-111111111111";

        private static string Frame(long seq, string type, string status)
        {
            return "id: " + seq + "\nevent: " + type + "\ndata: {\"intent_id\":\"" + Id + "\",\"seq\":" + seq +
                ",\"event_type\":\"" + type + "\",\"status\":\"" + status + "\",\"data\":{}}\n\n";
        }

        private static string IntentJson(string status, long lastSeq)
        {
            return "{\"intent_id\":\"" + Id + "\",\"status\":\"" + status + "\",\"last_seq\":" + lastSeq + "}";
        }

        private static string IntentFrame(string status, long lastSeq)
        {
            return "event: stream.intent\ndata: {\"intent\":" + IntentJson(status, lastSeq) + "}\n\n";
        }

        private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Stream(string text)
        {
            return (r, ct) =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(text) };
                response.Content.Headers.Remove("Content-Type");
                response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream");
                return Task.FromResult(response);
            };
        }

        [Test]
        public async Task CancelEndsTheWaitEvenWhenThePendingReadIgnoresIt()
        {
            var pipe = new PipeStream { Deaf = true };
            pipe.Write(Frame(1, "intent.submitted", "SUBMITTED"));
            var handler = new FakeHandler().Then((r, ct) =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe) };
                response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream");
                return Task.FromResult(response);
            });
            using (var client = TestClients.Create(handler))
            using (var cts = new CancellationTokenSource())
            {
                Task<Intent> wait = client.WaitForAsync(Id, cts.Token);
                cts.CancelAfter(100);
                Task first = await Task.WhenAny(wait, Task.Delay(5000));
                pipe.End(); // lets the abandoned read finish
                Assert.That(first, Is.SameAs(wait), "WaitForAsync still running 5 s after its cancel (REQ-TIMEOUT-003)");
                Assert.That(() => wait.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
            }
        }

        [Test]
        public async Task TakesTheIntentFromTheStreamWithNoRead()
        {
            var handler = new FakeHandler().Then(Stream(IntentFrame("WAITING", 1) + Frame(1, "intent.submitted", "SUBMITTED")
                + Frame(2, "intent.completed", "COMPLETED") + IntentFrame("COMPLETED", 2)));
            using (var client = TestClients.Create(handler))
            {
                Intent intent = await client.WaitForAsync(Id);
                Assert.That(intent.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That(intent.LastSeq, Is.EqualTo(2));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1), "no getIntent before or after the stream");
            StringAssert.Contains("include_intent=true", handler.Requests[0].Uri.Query);
        }

        [Test]
        public async Task OnATerminalIntentTakesTheOnlyFrame()
        {
            var handler = new FakeHandler().Then(Stream(IntentFrame("CANCELED", 2)));
            using (var client = TestClients.Create(handler))
            {
                Assert.That((await client.WaitForAsync(Id)).Status, Is.EqualTo(IntentStatus.Canceled));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
        }

        [Test]
        public async Task AgainstAnOlderServerReadsTheIntentOnceAfterTheTerminalEvent()
        {
            var handler = new FakeHandler().Then(Stream(Frame(2, "intent.completed", "COMPLETED")))
                .ThenJson(200, "{\"ok\":true,\"intent\":" + IntentJson("COMPLETED", 2) + "}");
            using (var client = TestClients.Create(handler))
            {
                Assert.That((await client.WaitForAsync(Id)).Status, Is.EqualTo(IntentStatus.Completed));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(2));
            Assert.That(handler.Requests[1].Uri.AbsolutePath, Is.EqualTo("/v1/intents/" + Id));
        }
    }
}
