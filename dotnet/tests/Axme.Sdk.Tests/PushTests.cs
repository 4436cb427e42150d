using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Axme.Sdk.Models;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>VerifyDelivery against conformance/vectors/push-signature.json, plus replay, tolerance and rotation.</summary>
    [TestFixture]
    public class PushTests
    {
        private const string Secret = "whsec_test_0123456789abcdef";
        private const long T = 1795255200;
        private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"delivery_id\":\"dlv_a\",\"intent_id\":\"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10\"}");

        private static JObject Vectors()
        {
            return JObject.Parse(File.ReadAllText(Repo.PathOf("conformance", "vectors", "push-signature.json")));
        }

        public static IEnumerable<TestCaseData> Signatures()
        {
            foreach (JObject v in Vectors()["signatures"]) yield return new TestCaseData(v).SetName("push signature " + v.Value<string>("name"));
        }

        public static IEnumerable<TestCaseData> Verifications()
        {
            foreach (JObject v in Vectors()["verifications"]) yield return new TestCaseData(v).SetName("push verification " + v.Value<string>("name"));
        }

        [Test]
        public void VectorFileIsNotEmpty()
        {
            Assert.That(((JArray)Vectors()["verifications"]).Count, Is.GreaterThanOrEqualTo(20));
        }

        [Test, TestCaseSource("Signatures")]
        public void SignatureVector(JObject v)
        {
            string header = Push.SignDelivery(Encoding.UTF8.GetBytes(v.Value<string>("body")), v.Value<string>("secret"), v.Value<long>("timestamp"));
            Assert.AreEqual("t=" + v.Value<long>("timestamp") + ",v1=" + v.Value<string>("signature"), header);
        }

        [Test, TestCaseSource("Verifications")]
        public void VerificationVector(JObject v)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in (JObject)v["headers"]) headers[pair.Key] = (string)pair.Value;
            var seen = new InMemoryPushSeenDeliveries();
            foreach (var id in v["seen"]) seen.Add((string)id);
            var secrets = new List<string>();
            foreach (var s in v["secrets"]) secrets.Add((string)s);
            long now = v.Value<long>("now");
            var verifier = new PushVerifier(secrets.ToArray())
            {
                Tolerance = TimeSpan.FromSeconds(v.Value<long>("tolerance_s")),
                Seen = seen,
                Now = () => DateTimeOffset.FromUnixTimeSeconds(now),
            };
            byte[] body = Encoding.UTF8.GetBytes(v.Value<string>("body"));
            Func<string, string> lookup = name => { string value; return headers.TryGetValue(name, out value) ? value : null; };
            var expect = (JObject)v["expect"];
            if (expect.Value<bool>("ok"))
            {
                Delivery d = verifier.Verify(body, lookup);
                Assert.AreEqual(expect.Value<string>("delivery_id"), d.DeliveryId);
                Assert.AreEqual(expect.Value<string>("intent_id"), d.IntentId);
                if (expect["attempt"] != null) Assert.AreEqual(expect.Value<int>("attempt"), d.Attempt);
            }
            else
            {
                var rejected = Assert.Throws<SignatureException>(() => verifier.Verify(body, lookup));
                Assert.AreEqual(expect.Value<string>("reason"), rejected.Reason);
            }
        }

        private static Func<string, string> Headers(byte[] body, string secret, long t)
        {
            var h = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                { "X-Axme-Signature", Push.SignDelivery(body, secret, t) },
                { "X-Axme-Delivery-Id", "dlv_a" },
            };
            return name => { string value; return h.TryGetValue(name, out value) ? value : null; };
        }

        private static PushVerifier At(long now)
        {
            return new PushVerifier(Secret) { Seen = new InMemoryPushSeenDeliveries(), Now = () => DateTimeOffset.FromUnixTimeSeconds(now) };
        }

        [Test]
        public void ReplayIsRefusedEvenWithAFreshTimestamp()
        {
            var verifier = At(T);
            verifier.Verify(Body, Headers(Body, Secret, T));
            Assert.AreEqual("replayed_delivery", Assert.Throws<SignatureException>(() => verifier.Verify(Body, Headers(Body, Secret, T + 3))).Reason);
        }

        [Test]
        public void ARejectedPushDoesNotUseUpTheId()
        {
            var verifier = At(T);
            Assert.Throws<SignatureException>(() => verifier.Verify(Body, Headers(Body, "whsec_wrong", T)));
            Assert.AreEqual("dlv_a", verifier.Verify(Body, Headers(Body, Secret, T)).DeliveryId);
        }

        [Test]
        public void SeenIdsExpireAfterTheReplayWindow()
        {
            DateTimeOffset clock = DateTimeOffset.FromUnixTimeSeconds(0);
            var seen = new InMemoryPushSeenDeliveries(Push.ReplayWindow, () => clock);
            Assert.IsTrue(seen.Add("dlv_a"));
            clock = clock.Add(Push.ReplayWindow).AddSeconds(-1);
            Assert.IsFalse(seen.Add("dlv_a"));
            clock = clock.AddSeconds(1);
            Assert.IsTrue(seen.Add("dlv_a"));
            Assert.AreEqual(1, seen.Count);
        }

        [TestCase(0, 300, true)]
        [TestCase(300, 300, true)]
        [TestCase(-300, 300, true)]
        [TestCase(301, 300, false)]
        [TestCase(10, 10, true)]
        [TestCase(11, 10, false)]
        public void ToleranceAppliesBothWays(long offset, long tolerance, bool ok)
        {
            var verifier = At(T + offset);
            verifier.Tolerance = TimeSpan.FromSeconds(tolerance);
            if (ok) verifier.Verify(Body, Headers(Body, Secret, T));
            else Assert.AreEqual("stale_timestamp", Assert.Throws<SignatureException>(() => verifier.Verify(Body, Headers(Body, Secret, T))).Reason);
        }

        [Test]
        public void EitherSecretOfARotationVerifies()
        {
            string both = Push.SignDelivery(Body, "whsec_old", T) + ",v1=" + Push.SignDelivery(Body, "whsec_new", T).Split(new[] { "v1=" }, StringSplitOptions.None)[1];
            foreach (var secrets in new[] { new[] { "whsec_old" }, new[] { "whsec_new" }, new[] { "whsec_new", "whsec_old" } })
            {
                var verifier = new PushVerifier(secrets) { Seen = new InMemoryPushSeenDeliveries(), Now = () => DateTimeOffset.FromUnixTimeSeconds(T) };
                verifier.Verify(Body, name => name == "X-Axme-Signature" ? both : "dlv_a");
            }
        }

        [Test]
        public void StaticVerifyUsesTheProcessWideSeenSet()
        {
            byte[] body = Encoding.UTF8.GetBytes("{\"delivery_id\":\"dlv_dotnet_process\",\"intent_id\":\"i\"}");
            var headers = new System.Collections.Specialized.NameValueCollection
            {
                { "X-Axme-Signature", Push.SignDelivery(body, Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()) },
                { "X-Axme-Delivery-Id", "dlv_dotnet_process" },
            };
            Push.VerifyDelivery(body, headers, Secret);
            Assert.Throws<SignatureException>(() => Push.VerifyDelivery(body, headers, Secret));
            Assert.IsInstanceOf<AxmeException>(new SignatureException("x", "y"));
        }
    
        [Test]
        public void ReceiverAnswersWithoutTheServer()
        {
            var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            string url = "http://127.0.0.1:" + port + "/";
            using (var client = new AxmeClient(new AxmeClientConfig { ApiKey = "axme_admin_unit", BaseUrl = "http://127.0.0.1:9" }))
            using (var receiver = new PushReceiver(client, ctx => { throw new AssertionException("the handler must not run"); }, new PushVerifier(Secret), url))
            using (var http = new System.Net.Http.HttpClient())
            {
                receiver.Start();
                long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                Func<System.Net.Http.HttpMethod, byte[], string, string> send = (method, body, signature) =>
                {
                    var request = new System.Net.Http.HttpRequestMessage(method, url);
                    if (body != null) request.Content = new System.Net.Http.ByteArrayContent(body);
                    if (signature != null)
                    {
                        request.Headers.Add("X-Axme-Signature", signature);
                        request.Headers.Add("X-Axme-Delivery-Id", "dlv_a");
                    }
                    var answer = http.SendAsync(request).GetAwaiter().GetResult();
                    string text = answer.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                    return (int)answer.StatusCode + " " + JObject.Parse(text).Value<string>("error");
                };
                Assert.AreEqual("405 method_not_allowed", send(System.Net.Http.HttpMethod.Get, null, null));
                Assert.AreEqual("413 body_too_large", send(System.Net.Http.HttpMethod.Post, new byte[8 * 1024 * 1024 + 1], null));
                Assert.AreEqual("401 missing_signature", send(System.Net.Http.HttpMethod.Post, Body, null));
                Assert.AreEqual("401 stale_timestamp", send(System.Net.Http.HttpMethod.Post, Body, Push.SignDelivery(Body, Secret, now - 301)));
                Assert.AreEqual("401 signature_mismatch", send(System.Net.Http.HttpMethod.Post, Body, Push.SignDelivery(Body, "whsec_other", now)));
            }
        }
    }
}
