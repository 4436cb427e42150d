using System;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    [TestFixture]
    public class ModelTests
    {
        [Test]
        public void ViewsKeepUnknownFieldsAndTheServersTimestampStrings()
        {
            var json = (JObject)AxmeJson.Parse(Support.TestClients.IntentJson);
            var response = AxmeModel.FromJson<IntentResponse>(json);
            Assert.That(response.Intent.Status, Is.EqualTo("SUBMITTED"));
            Assert.That(response.Intent.LastSeq, Is.EqualTo(1));
            Assert.That(response.Intent.CreatedAt, Is.EqualTo(new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero)));
            Assert.That(AxmeJson.Serialize(response.ToJson()), Is.EqualTo(Support.TestClients.IntentJson), "byte-identical round trip");
        }

        [Test]
        public void SettersWriteWireNamesAndRemoveOnNull()
        {
            var request = new CreateIntentRequest
            {
                IntentType = "intent.demo.v1",
                ToAgent = "worker",
                Payload = new JObject { { "camelCase", 1 } },
                DeadlineAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 6, TimeSpan.FromHours(2)),
                HumanTask = new HumanTask { Title = "t", AllowedOutcomes = new[] { "approved" } },
            };
            request.HumanTask = request.HumanTask; // nested views write through
            Assert.That(request.ToString(), Is.EqualTo("{\"intent_type\":\"intent.demo.v1\",\"to_agent\":\"worker\",\"payload\":{\"camelCase\":1}," +
                "\"deadline_at\":\"2026-01-02T01:04:05.006Z\",\"human_task\":{\"title\":\"t\",\"allowed_outcomes\":[\"approved\"]}}"));
            request.DeadlineAt = null;
            Assert.That(request.ToJson()["deadline_at"], Is.Null);
        }

        [Test]
        public void ResumeBodyFactoriesMatchTheWireUnion()
        {
            Assert.That(ResumeBody.Complete(null, "d1").ToString(), Is.EqualTo("{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"delivery_id\":\"d1\"}"));
            Assert.That(ResumeBody.Fail(new IntentError("x", "y")).ToString(), Is.EqualTo("{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"x\",\"message\":\"y\"}}"));
            Assert.That(ResumeBody.Progress().ToString(), Is.EqualTo("{\"kind\":\"progress\"}"));
        }

        [TestCase("COMPLETED", true)]
        [TestCase("FAILED", true)]
        [TestCase("CANCELED", true)]
        [TestCase("TIMED_OUT", true)]
        [TestCase("WAITING", false)]
        [TestCase("completed", false)]
        [TestCase(null, false)]
        public void TerminalSetIsExact(string status, bool terminal)
        {
            Assert.That(IntentStatus.IsTerminal(status), Is.EqualTo(terminal));
        }

        [Test]
        public void TerminalStatusesAreSpecStatuses()
        {
            foreach (string s in IntentStatus.Terminal) Assert.That(IntentStatus.Values, Has.Member(s));
        }

        [Test]
        public void MalformedJsonIsRejected()
        {
            Assert.Throws<Newtonsoft.Json.JsonReaderException>(() => AxmeJson.Parse("{\"a\":1} trailing"));
            Assert.That(AxmeJson.TryParseObject("[1]"), Is.Null);
        }
    }
}
