using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using Axme.Sdk.Streaming;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>Every vector of conformance/vectors/sse.json, whole and split at every byte.</summary>
    [TestFixture]
    public class SseVectorTests
    {
        public static IEnumerable<TestCaseData> Vectors()
        {
            var doc = JObject.Parse(File.ReadAllText(Repo.PathOf("conformance", "vectors", "sse.json")));
            foreach (JObject v in doc["vectors"])
            {
                yield return new TestCaseData(v).SetName("sse vector " + v.Value<string>("name"));
            }
        }

        [Test, TestCaseSource("Vectors")]
        public void ParsesWholeInput(JObject vector)
        {
            var parser = new SseParser();
            var events = new List<SseEvent>();
            parser.Feed(vector.Value<string>("input"), events);
            AssertMatches(vector, events, parser.RetryMs);
        }

        [Test, TestCaseSource("Vectors")]
        public void ParsesOneByteAtATime(JObject vector)
        {
            // One-byte reads split CRLF pairs and multi-byte UTF-8 characters across chunks.
            byte[] bytes = Encoding.UTF8.GetBytes(vector.Value<string>("input"));
            var reader = new SseReader(new OneByteStream(bytes));
            var events = new List<SseEvent>();
            SseEvent e;
            while ((e = reader.ReadAsync(CancellationToken.None).Result) != null) events.Add(e);
            AssertMatches(vector, events, reader.Parser.RetryMs);
        }

        [Test]
        public void VectorFileIsNotEmpty()
        {
            var doc = JObject.Parse(File.ReadAllText(Repo.PathOf("conformance", "vectors", "sse.json")));
            Assert.That(((JArray)doc["vectors"]).Count, Is.GreaterThan(10));
        }

        private static void AssertMatches(JObject vector, List<SseEvent> events, long? retryMs)
        {
            var expected = (JArray)vector["events"];
            Assert.That(events.Count, Is.EqualTo(expected.Count), "event count");
            for (int i = 0; i < expected.Count; i++)
            {
                JToken id = expected[i]["id"];
                Assert.That(events[i].Id, Is.EqualTo(id.Type == JTokenType.Null ? null : id.Value<string>()), "id of event " + i);
                Assert.That(events[i].Event, Is.EqualTo(expected[i].Value<string>("event")), "event of event " + i);
                Assert.That(events[i].Data, Is.EqualTo(expected[i].Value<string>("data")), "data of event " + i);
            }
            JToken retry = vector["retry_ms"];
            Assert.That(retryMs, Is.EqualTo(retry.Type == JTokenType.Null ? (long?)null : retry.Value<long>()), "retry_ms");
        }

        private sealed class OneByteStream : MemoryStream
        {
            public OneByteStream(byte[] bytes) : base(bytes) { }

            public override System.Threading.Tasks.Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
            {
                return base.ReadAsync(buffer, offset, count > 0 ? 1 : 0, ct);
            }
        }
    }
}
