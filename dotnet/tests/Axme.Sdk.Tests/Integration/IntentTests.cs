using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>Calls against the real reference server: CRUD, idempotency, errors, retries.</summary>
    [TestFixture]
    public class IntentTests
    {
        internal static CreateIntentRequest Intent(string toAgent, HumanTask humanTask = null)
        {
            return new CreateIntentRequest
            {
                IntentType = "intent.test.dotnet.v1",
                ToAgent = toAgent,
                Payload = new JObject { { "change", "migrate" }, { "name", "Zoë ✓" } },
                HumanTask = humanTask,
            };
        }

        internal static async Task<string> RegisterAsync(AxmeClient admin, string name)
        {
            AgentRegisteredResponse agent = await admin.RegisterAgentAsync(new RegisterAgentRequest { Address = name });
            Assert.That(agent.ApiKey.StartsWith("axme_agent_"), Is.True, agent.ApiKey);
            return agent.ApiKey;
        }

        [Test]
        public async Task CreateGetListRoundTripTheWireJson()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(Intent("worker"));
                Intent intent = (await admin.GetIntentAsync(id)).Intent;
                Assert.That(intent.IntentId, Is.EqualTo(id));
                Assert.That(intent.Status, Is.EqualTo(IntentStatus.Submitted));
                Assert.That(intent.ToAgent, Is.EqualTo("agent://" + ns.Name + "/default/worker"));
                Assert.That(intent.Payload["name"].ToString(), Is.EqualTo("Zoë ✓"));
                Assert.That(intent.CreatedAt.HasValue, Is.True);
                string createdAt = intent.ToJson().Value<string>("created_at");
                Assert.That(Regex.IsMatch(createdAt, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"), Is.True,
                    "timestamps stay the server's strings: " + createdAt);
                IntentListResponse page = await admin.ListIntentsAsync(status: IntentStatus.Submitted, limit: 10);
                Assert.That(page.Intents.Any(i => i.IntentId == id), Is.True);
            }
        }

        [Test]
        public async Task SameIdempotencyKeyReplaysTheOriginalResponse()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await RegisterAsync(admin, "worker");
                var options = new RequestOptions { IdempotencyKey = "dotnet-" + Guid.NewGuid() };
                CreateIntentResponse first = await admin.CreateIntentAsync(Intent("worker"), options);
                CreateIntentResponse second = await admin.CreateIntentAsync(Intent("worker"), options);
                Assert.That(second.IntentId, Is.EqualTo(first.IntentId));
                CreateIntentRequest different = Intent("worker");
                different.Payload = new JObject { { "other", true } };
                var e = Assert.Throws<ConflictException>(() => admin.CreateIntentAsync(different, options).GetAwaiter().GetResult());
                Assert.That(e.Code, Is.EqualTo("idempotency_conflict"));
            }
        }

        [Test]
        public async Task ErrorsCarryTheServersCodes()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            using (AxmeClient stranger = ns.Client("axme_admin_nope_wrong"))
            {
                var missing = Assert.Throws<NotFoundException>(() => admin.GetIntentAsync(Guid.NewGuid().ToString()).GetAwaiter().GetResult());
                Assert.That(missing.Code, Is.EqualTo("intent_not_found"));
                Assert.That(missing.RequestId, Is.Not.Null.And.Not.Empty);
                var noAgent = Assert.Throws<NotFoundException>(() => admin.SendIntentAsync(Intent("ghost")).GetAwaiter().GetResult());
                Assert.That(noAgent.Code, Is.EqualTo("agent_not_found"));
                var auth = Assert.Throws<AuthenticationException>(() => stranger.ListIntentsAsync().GetAwaiter().GetResult());
                Assert.That(auth.Code, Is.EqualTo("unauthorized"));

                await RegisterAsync(admin, "worker");
                string id = await admin.SendIntentAsync(Intent("worker"));
                await admin.CancelIntentAsync(id, "not needed");
                var terminal = Assert.Throws<ConflictException>(() => admin.CancelIntentAsync(id).GetAwaiter().GetResult());
                Assert.That(terminal.Code, Is.EqualTo("intent_terminal"));
                Assert.That(terminal.Retryable, Is.False);
            }
        }

        [Test]
        public async Task RetriesInjected503sWithOneIdempotencyKey()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await RegisterAsync(admin, "worker");
                ns.AddFault(new JObject { { "op", "createIntent" } },
                    new JObject { { "type", "status" }, { "status", 503 }, { "times", 2 } });
                string id = await admin.SendIntentAsync(Intent("worker"));
                Assert.That(id, Is.Not.Null.And.Not.Empty);
            }
            var creates = ns.Requests().Where(r => r.Value<string>("op") == "createIntent").ToList();
            Assert.That(creates.Select(r => r.Value<int>("status")).ToList(), Is.EqualTo(new[] { 503, 503, 200 }));
            var keys = creates.Select(r => r["headers"].Value<string>("idempotency-key")).Distinct().ToList();
            Assert.That(keys.Count, Is.EqualTo(1));
            Assert.That(keys[0], Is.Not.Null);
            Assert.That(creates[0]["headers"].Value<string>("user-agent"), Is.EqualTo("axme-dotnet/" + SdkInfo.Version));
        }
    }
}
