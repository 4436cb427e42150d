using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    [TestFixture]
    public class HeaderAndConfigTests
    {
        private static readonly Regex Uuid = new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

        [Test]
        public async Task GetSendsIdentificationKeyAndTraceButNoIdempotencyKey()
        {
            var handler = new FakeHandler().ThenJson(200, TestClients.IntentJson).ThenJson(200, TestClients.IntentJson);
            using (var client = TestClients.Create(handler))
            {
                await client.GetIntentAsync("i-1");
                await client.GetIntentAsync("i-1");
            }
            RecordedRequest r = handler.Requests[0];
            Assert.That(r.Header("User-Agent"), Is.EqualTo("axme-dotnet/" + SdkInfo.Version));
            Assert.That(r.Header("X-Axme-Client"), Is.EqualTo("axme-dotnet/" + SdkInfo.Version));
            Assert.That(r.Header("x-api-key"), Is.EqualTo("axme_admin_test_secret"));
            Assert.That(Uuid.IsMatch(r.Header("X-Trace-Id")), Is.True, r.Header("X-Trace-Id"));
            Assert.That(r.Header("X-Trace-Id"), Is.Not.EqualTo(handler.Requests[1].Header("X-Trace-Id")), "fresh per call");
            Assert.That(r.Header("Idempotency-Key"), Is.Null);
            Assert.That(r.Header("Content-Type"), Is.Null);
            Assert.That(r.Body, Is.Null);
        }

        [Test]
        public async Task HealthIsCalledWithoutTheApiKey()
        {
            var handler = new FakeHandler().ThenJson(200, "{\"ok\":true}");
            using (var client = TestClients.Create(handler))
            {
                await client.GetHealthAsync();
            }
            Assert.That(handler.Requests[0].Header("x-api-key"), Is.Null, "REQ-CLIENT-002");
            Assert.That(handler.Requests[0].Header("X-Axme-Client"), Is.Not.Null);
        }

        [Test]
        public async Task PostSendsJsonAndAFreshIdempotencyKeyPerCall()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(200, "{\"ok\":true,\"applied\":true,\"intent\":{}}"));
            using (var client = TestClients.Create(handler))
            {
                await client.ApproveTaskAsync("i-1", "fine");
                await client.ApproveTaskAsync("i-1");
            }
            Assert.That(handler.Requests[0].Body, Is.EqualTo("{\"outcome\":\"approved\",\"comment\":\"fine\"}"));
            Assert.That(handler.Requests[1].Body, Is.EqualTo("{\"outcome\":\"approved\"}"));
            Assert.That(handler.Requests[0].Header("Content-Type").StartsWith("application/json"), Is.True);
            Assert.That(Uuid.IsMatch(handler.Requests[0].Header("Idempotency-Key")), Is.True);
            Assert.That(handler.Requests[0].Header("Idempotency-Key"), Is.Not.EqualTo(handler.Requests[1].Header("Idempotency-Key")));
            Assert.That(handler.Requests[0].Uri.AbsolutePath, Is.EqualTo("/v1/tasks/i-1/decision"));
        }

        /// <summary>The agent-write and decision helpers send the bodies spec/naming.yaml describes.</summary>
        [Test]
        public async Task AgentWriteHelpersSendTheSharedShapes()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(200, "{\"ok\":true,\"applied\":true,\"intent\":{}}"));
            var error = new IntentError { Message = "no code" };
            using (var client = TestClients.Create(handler))
            {
                await client.ResumeIntentAsync("i-1", new JObject { { "n", 1 } });
                await client.ResumeIntentAsync("i-1", null, "d1");
                await client.ResumeIntentWithAsync("i-1", AxmeModel.FromJson<ResumeBody>(new JObject { { "action", "complete" }, { "answerCount", 2 } }));
                await client.FailIntentAsync("i-1", new IntentError("bad", "no"), "d1");
                await client.FailIntentAsync("i-1", error);
                await client.CompleteTaskAsync("i-1", "submitted", new JObject { { "t", "x" } }, "filed");
            }
            string[] bodies = handler.Requests.Select(r => r.Body).ToArray();
            Assert.That(bodies, Is.EqualTo(new[]
            {
                "{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"n\":1}}",
                "{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{},\"delivery_id\":\"d1\"}",
                "{\"action\":\"complete\",\"answerCount\":2}",
                "{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"code\":\"bad\",\"message\":\"no\"},\"delivery_id\":\"d1\"}",
                "{\"kind\":\"agent_result\",\"outcome\":\"fail\",\"error\":{\"message\":\"no code\",\"code\":\"agent_error\"}}",
                "{\"outcome\":\"submitted\",\"data\":{\"t\":\"x\"},\"comment\":\"filed\"}",
            }));
            Assert.That(error.Code, Is.Null, "the caller's error object is not changed");
            Assert.That(handler.Requests.Take(5).All(r => r.Uri.AbsolutePath == "/v1/intents/i-1/resume"), Is.True);
        }

        /// <summary>A result that already is a resume form is sent as given, never wrapped (REQ-RESUME-010).</summary>
        [Test]
        public async Task ResumeIntentSendsAResumeFormAsGiven()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(200, "{\"ok\":true,\"applied\":true,\"intent\":{}}"));
            string[] forms =
            {
                "{\"action\":\"fail\",\"reason\":\"disk full\"}",
                "{\"kind\":\"progress\"}",
                "{\"task_result\":{\"outcome\":\"approved\"}}",
                "{\"approve_current_step\":true}",
            };
            using (var client = TestClients.Create(handler))
            {
                foreach (string form in forms) await client.ResumeIntentAsync("i-1", JObject.Parse(form));
                await client.ResumeIntentAsync("i-1", new JObject { { "action", "fail" } }, "d1");
                await client.ResumeIntentAsync("i-1", new JObject { { "action", "fail" }, { "delivery_id", "d0" } }, "d1");
                await client.ResumeIntentAsync("i-1", new JObject { { "status", "fail" } });
            }
            string[] bodies = handler.Requests.Select(r => JObject.Parse(r.Body).ToString(Newtonsoft.Json.Formatting.None)).ToArray();
            Assert.That(bodies, Is.EqualTo(forms.Concat(new[]
            {
                "{\"action\":\"fail\",\"delivery_id\":\"d1\"}",
                "{\"action\":\"fail\",\"delivery_id\":\"d0\"}",
                "{\"kind\":\"agent_result\",\"outcome\":\"complete\",\"result\":{\"status\":\"fail\"}}",
            }).ToArray()));
        }

        [Test]
        public async Task RequestOptionsOverrideTraceAndIdempotencyKey()
        {
            var handler = new FakeHandler().ThenJson(200, "{\"ok\":true,\"applied\":true,\"intent\":{}}");
            using (var client = TestClients.Create(handler))
            {
                await client.CancelIntentAsync("i-1", "no longer needed", new RequestOptions { TraceId = "trace-1", IdempotencyKey = "idem-1" });
            }
            Assert.That(handler.Requests[0].Header("X-Trace-Id"), Is.EqualTo("trace-1"));
            Assert.That(handler.Requests[0].Header("Idempotency-Key"), Is.EqualTo("idem-1"));
            Assert.That(handler.Requests[0].Body, Is.EqualTo("{\"status\":\"CANCELED\",\"reason\":\"no longer needed\"}"));
        }

        [Test]
        public async Task AgentAddressIsOnePercentEncodedPathSegment()
        {
            var handler = new FakeHandler().ThenJson(200, "{\"ok\":true,\"agent\":{}}");
            using (var client = TestClients.Create(handler))
            {
                await client.GetAgentAsync("agent://org/ws/name");
            }
            Assert.That(handler.Requests[0].Uri.AbsoluteUri, Is.EqualTo("http://axme.test/v1/agents/agent%3A%2F%2Forg%2Fws%2Fname"));
        }

        [Test]
        public async Task QueryOmitsUnsetParameters()
        {
            var handler = new FakeHandler().ThenJson(200, "{\"ok\":true,\"intents\":[],\"next_cursor\":null}");
            using (var client = TestClients.Create(handler))
            {
                await client.ListIntentsAsync(status: "WAITING", limit: 5);
            }
            Assert.That(handler.Requests[0].Uri.Query, Is.EqualTo("?status=WAITING&limit=5"));
        }

        [Test]
        public void MissingApiKeyIsAClearError()
        {
            string saved = Environment.GetEnvironmentVariable("AXME_API_KEY");
            Environment.SetEnvironmentVariable("AXME_API_KEY", null);
            try
            {
                var e = Assert.Throws<AxmeException>(() => new AxmeClient(new AxmeClientConfig { BaseUrl = "http://x" }));
                Assert.That(e.Message.Contains("AXME_API_KEY"), Is.True, e.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("AXME_API_KEY", saved);
            }
        }

        [Test]
        public void EnvironmentSuppliesKeyAndBaseUrl()
        {
            string savedKey = Environment.GetEnvironmentVariable("AXME_API_KEY");
            string savedUrl = Environment.GetEnvironmentVariable("AXME_BASE_URL");
            Environment.SetEnvironmentVariable("AXME_API_KEY", " axme_agent_env_key ");
            Environment.SetEnvironmentVariable("AXME_BASE_URL", "http://127.0.0.1:9/");
            try
            {
                using (var client = new AxmeClient())
                {
                    Assert.That(client.BaseUri.ToString(), Is.EqualTo("http://127.0.0.1:9/"));
                }
                Environment.SetEnvironmentVariable("AXME_BASE_URL", null);
                using (var client = new AxmeClient(new AxmeClientConfig()))
                {
                    Assert.That(client.BaseUri.ToString(), Is.EqualTo(AxmeClientConfig.DefaultBaseUrl + "/"));
                }
            }
            finally
            {
                Environment.SetEnvironmentVariable("AXME_API_KEY", savedKey);
                Environment.SetEnvironmentVariable("AXME_BASE_URL", savedUrl);
            }
        }

        [TestCase("ftp://example.com")]
        [TestCase("not a url")]
        public void InvalidBaseUrlIsRejected(string url)
        {
            Assert.Throws<AxmeException>(() => new AxmeClient(new AxmeClientConfig { ApiKey = "k", BaseUrl = url }));
        }

        [Test]
        public void NegativeRetriesAreRejected()
        {
            Assert.Throws<AxmeException>(() => new AxmeClient(new AxmeClientConfig { ApiKey = "k", BaseUrl = "http://x", MaxRetries = -1 }));
        }

        [Test]
        public void EmptyPathParameterIsRejectedBeforeAnyRequest()
        {
            var handler = new FakeHandler();
            using (var client = TestClients.Create(handler))
            {
                Assert.Throws<ArgumentException>(() => client.GetIntentAsync("").GetAwaiter().GetResult());
                Assert.Throws<ArgumentNullException>(() => client.CreateIntentAsync(null).GetAwaiter().GetResult());
            }
            Assert.That(handler.Requests, Is.Empty);
        }
    }
}
