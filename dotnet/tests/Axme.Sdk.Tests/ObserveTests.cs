using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Streaming;
using Axme.Sdk.Tests.Support;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    [TestFixture]
    public class ObserveTests
    {
        private const string Id = "11111111-1111-1111-1111-111111111111";

        private static string Frame(long seq, string type, string status)
        {
            return "id: " + seq + "\nevent: " + type + "\ndata: {\"intent_id\":\"" + Id + "\",\"seq\":" + seq +
                ",\"event_type\":\"" + type + "\",\"status\":\"" + status + "\",\"data\":{}}\n\n";
        }

        private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Stream(PipeStream body)
        {
            return (r, ct) =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
                response.Content.Headers.TryAddWithoutValidation("Content-Type", "text/event-stream");
                return Task.FromResult(response);
            };
        }

        private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Stream(string text)
        {
            var pipe = new PipeStream();
            pipe.Write(text);
            pipe.End();
            return Stream(pipe);
        }

        [Test]
        public async Task YieldsEachEventAsSoonAsItArrives()
        {
            var pipe = new PipeStream();
            var handler = new FakeHandler().Then(Stream(pipe));
            using (var client = TestClients.Create(handler))
            {
                IntentEventStream.Enumerator events = client.Observe(Id).GetAsyncEnumerator();
                pipe.Write("retry: 2000\n\n" + Frame(1, "intent.submitted", "SUBMITTED"));
                // The stream is still open (no End): the first event must come out now.
                Task<bool> first = events.MoveNextAsync();
                Assert.That(first.Wait(TimeSpan.FromSeconds(10)), Is.True, "first event not yielded while the stream stays open");
                Assert.That(events.Current.Seq, Is.EqualTo(1));
                Assert.That(events.Current.EventType, Is.EqualTo("intent.submitted"));
                pipe.Write(": keepalive\n\n" + Frame(2, "intent.completed", "COMPLETED"));
                Assert.That(await events.MoveNextAsync(), Is.True);
                Assert.That(events.Current.Status, Is.EqualTo(IntentStatus.Completed));
                Assert.That(await events.MoveNextAsync(), Is.False, "ends after the terminal event");
                await events.DisposeAsync();
            }
            Assert.That(handler.Requests[0].Uri.AbsolutePath, Is.EqualTo("/v1/intents/" + Id + "/events/stream"));
            Assert.That(handler.Requests[0].Uri.Query, Is.EqualTo(""), "no since= before there is a resume point");
            Assert.That(handler.Requests[0].Header("Accept"), Is.EqualTo("text/event-stream"));
        }

        [Test]
        public async Task ResumesAfterADropWithLastEventIdAndNoDuplicates()
        {
            var sleeps = new List<TimeSpan>();
            var handler = new FakeHandler()
                .Then(Stream(Frame(1, "intent.submitted", "SUBMITTED") + Frame(2, "intent.delivered", "DELIVERED")))
                .Then(Stream(Frame(2, "intent.delivered", "DELIVERED") + Frame(3, "intent.completed", "COMPLETED")));
            using (var client = TestClients.Create(handler, sleeps))
            {
                IReadOnlyList<IntentEvent> events = await client.Observe(Id).ToListAsync();
                Assert.That(Seqs(events), Is.EqualTo(new long[] { 1, 2, 3 }));
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(2));
            Assert.That(handler.Requests[1].Header("Last-Event-ID"), Is.EqualTo("2"));
            Assert.That(handler.Requests[1].Uri.Query, Is.EqualTo("?since=2"));
            Assert.That(sleeps.Count, Is.EqualTo(1), "one jittered pause before reconnecting");
            Assert.That(sleeps[0].TotalMilliseconds, Is.InRange(250, 500));
        }

        [Test]
        public async Task StreamTimeoutReconnectsWithTheCursor()
        {
            var handler = new FakeHandler()
                .Then(Stream(Frame(1, "intent.submitted", "SUBMITTED") + "event: stream.timeout\ndata: {\"next_seq\":2}\n\n"))
                .Then(Stream(Frame(2, "intent.canceled", "CANCELED")));
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                IReadOnlyList<IntentEvent> events = await client.Observe(Id, new ObserveOptions { Since = 0, WaitSeconds = 5 }).ToListAsync();
                Assert.That(Seqs(events), Is.EqualTo(new long[] { 1, 2 }));
            }
            Assert.That(handler.Requests[0].Uri.Query, Is.EqualTo("?wait_seconds=5"));
            Assert.That(handler.Requests[1].Uri.Query, Is.EqualTo("?since=1&wait_seconds=5"));
        }

        [Test]
        public async Task WithoutUntilTerminalItKeepsFollowingUntilCanceled()
        {
            var pipe = new PipeStream();
            var handler = new FakeHandler()
                .Then(Stream(Frame(1, "intent.completed", "COMPLETED") + "event: stream.timeout\ndata: {\"next_seq\":2}\n\n"))
                .Then(Stream(pipe));
            using (var cts = new CancellationTokenSource())
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                IntentEventStream.Enumerator events = client.Observe(Id, new ObserveOptions { UntilTerminal = false }, cts.Token).GetAsyncEnumerator();
                Assert.That(await events.MoveNextAsync(), Is.True);
                Assert.That(events.Current.Status, Is.EqualTo(IntentStatus.Completed));
                Task<bool> next = events.MoveNextAsync();
                Assert.That(next.Wait(300), Is.False, "still following after the terminal event");
                cts.Cancel();
                Assert.That(() => next.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
            }
            Assert.That(handler.Requests[1].Uri.Query, Is.EqualTo("?since=1"), "since = next_seq - 1");
        }

        [Test]
        public async Task StreamTimeoutResumesFromNextSeqMinusOne()
        {
            var handler = new FakeHandler()
                .Then(Stream("event: stream.timeout\ndata: {\"next_seq\":4}\n\n"))
                .Then(Stream(Frame(4, "intent.completed", "COMPLETED")));
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                Assert.That(Seqs(await client.Observe(Id, new ObserveOptions { Since = 1 }).ToListAsync()), Is.EqualTo(new long[] { 4 }));
            }
            Assert.That(handler.Requests[1].Uri.Query, Is.EqualTo("?since=3"));
            Assert.That(handler.Requests[1].Header("Last-Event-ID"), Is.EqualTo("3"));
        }

        [Test]
        public async Task PollsWhenTheStreamEndpointIsMissing()
        {
            var handler = new FakeHandler()
                .ThenJson(404, "{\"ok\":false,\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}")
                .ThenJson(200, "{\"ok\":true,\"events\":[{\"seq\":1,\"event_type\":\"intent.submitted\",\"status\":\"SUBMITTED\"}],\"next_seq\":2}")
                .ThenJson(200, "{\"ok\":true,\"events\":[],\"next_seq\":2}")
                .ThenJson(200, "{\"ok\":true,\"events\":[{\"seq\":2,\"event_type\":\"intent.failed\",\"status\":\"FAILED\"}],\"next_seq\":3}")
                .ThenJson(200, "{\"ok\":true,\"intent\":{\"status\":\"FAILED\"}}"); // no retry of the failure (REQ-REATTEMPT-009)
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                IReadOnlyList<IntentEvent> events = await client.Observe(Id).ToListAsync();
                Assert.That(Seqs(events), Is.EqualTo(new long[] { 1, 2 }));
            }
            Assert.That(handler.Requests[1].Uri.PathAndQuery, Is.EqualTo("/v1/intents/" + Id + "/events?since=0"));
            Assert.That(handler.Requests[3].Uri.PathAndQuery, Is.EqualTo("/v1/intents/" + Id + "/events?since=1"));
            Assert.That(sleeps, Is.EqualTo(new[] { TimeSpan.FromSeconds(1) }), "one poll interval after an empty page");
        }

        [Test]
        public void UnknownIntentIsNotFoundNotAFallback()
        {
            var handler = new FakeHandler().ThenJson(404, "{\"ok\":false,\"error\":{\"code\":\"intent_not_found\",\"message\":\"intent not found\"}}");
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Assert.Throws<NotFoundException>(() => client.Observe(Id).ToListAsync().GetAwaiter().GetResult());
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1));
        }

        [Test]
        public void MalformedEventFrameIsAStreamException()
        {
            var handler = new FakeHandler().Then(Stream("event: intent.progress\ndata: {not json\n\n"));
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Assert.Throws<StreamException>(() => client.Observe(Id).ToListAsync().GetAwaiter().GetResult());
            }
        }

        [Test]
        public async Task UnknownFrameTypesAreIgnored()
        {
            var handler = new FakeHandler().Then(Stream("event: server.notice\ndata: hello\n\n" + Frame(1, "intent.completed", "COMPLETED")));
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                Assert.That(Seqs(await client.Observe(Id).ToListAsync()), Is.EqualTo(new long[] { 1 }));
            }
        }

        [Test]
        public void GivesUpAfterTheReconnectBudgetWithAStreamException()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Stream(": keepalive\n\n")(r, ct); // connects, then closes without events
            var sleeps = new List<TimeSpan>();
            using (var client = TestClients.Create(handler, sleeps))
            {
                Assert.Throws<StreamException>(() => client.Observe(Id).ToListAsync().GetAwaiter().GetResult());
            }
            // REQ-OBSERVE-006: max(max_retries, 5) + 1 failed connections in a row, paced each time.
            Assert.That(handler.Requests.Count, Is.EqualTo(6));
            Assert.That(sleeps.Count, Is.EqualTo(5), "never a tight loop");
        }

        [Test]
        public async Task IdleStreamIsReconnected()
        {
            var silent = new PipeStream(); // sends nothing, never ends
            var handler = new FakeHandler().Then(Stream(silent)).Then(Stream(Frame(1, "intent.completed", "COMPLETED")));
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), idle: TimeSpan.FromMilliseconds(200)))
            {
                Assert.That(Seqs(await client.Observe(Id).ToListAsync()), Is.EqualTo(new long[] { 1 }));
            }
            Assert.That(silent.Disposed, Is.True, "the idle connection was closed");
            Assert.That(handler.Requests.Count, Is.EqualTo(2));
        }

        /// <summary>A stream that goes silent is a timeout naming the URL it read (REQ-CLIENT-009).</summary>
        [Test]
        public async Task AStreamErrorNamesTheUrl()
        {
            var silent = new PipeStream();
            var handler = new FakeHandler().Then(Stream(silent));
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), idle: TimeSpan.FromMilliseconds(100)))
            using (ServerEventStream<IntentEvent> events = await client.StreamIntentEventsAsync(Id))
            {
                var e = Assert.Throws<AxmeTimeoutException>(() => events.MoveNextAsync().GetAwaiter().GetResult());
                StringAssert.Contains("http://axme.test/v1/intents/" + Id + "/events/stream", e.Message);
            }
        }

        [Test]
        public void CancellationEndsAWaitingMoveNextPromptly()
        {
            var silent = new PipeStream();
            var handler = new FakeHandler().Then(Stream(silent));
            using (var cts = new CancellationTokenSource())
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                IntentEventStream.Enumerator events = client.Observe(Id, cts.Token).GetAsyncEnumerator();
                Task<bool> next = events.MoveNextAsync();
                Assert.That(next.Wait(200), Is.False, "nothing to yield yet");
                cts.Cancel();
                Assert.That(() => next.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
                Assert.That(silent.Disposed, Is.True);
            }
        }

        private static long[] Seqs(IReadOnlyList<IntentEvent> events)
        {
            var seqs = new long[events.Count];
            for (int i = 0; i < seqs.Length; i++) seqs[i] = events[i].Seq ?? -1;
            return seqs;
        }
    }
}
