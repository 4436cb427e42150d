using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Axme.Sdk.Tests.Support;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    [TestFixture]
    public class ErrorMappingTests
    {
        [TestCase(400, "bad_request", typeof(BadRequestException))]
        [TestCase(401, "unauthorized", typeof(AuthenticationException))]
        [TestCase(403, "forbidden", typeof(PermissionDeniedException))]
        [TestCase(404, "intent_not_found", typeof(NotFoundException))]
        [TestCase(405, "method_not_allowed", typeof(BadRequestException))]
        [TestCase(409, "stale_delivery", typeof(ConflictException))]
        [TestCase(413, "payload_too_large", typeof(BadRequestException))]
        [TestCase(422, "validation_error", typeof(ValidationException))]
        [TestCase(429, "rate_limited", typeof(RateLimitException))]
        [TestCase(500, "internal_error", typeof(ServerException))]
        [TestCase(503, "unavailable", typeof(ServerException))]
        public void MapsStatusToExceptionClass(int status, string code, Type expected)
        {
            string body = "{\"ok\":false,\"error\":{\"code\":\"" + code + "\",\"message\":\"m-" + code +
                "\",\"category\":\"c\",\"retryable\":false,\"details\":{\"field\":\"to_agent\"}},\"detail\":\"m\"}";
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(status, body, FakeHandler.Header("X-Request-Id", "req-9")));
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 0))
            {
                var e = (AxmeApiException)CatchFrom(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                Assert.That(e.GetType(), Is.EqualTo(expected));
                Assert.That(e, Is.InstanceOf<AxmeException>());
                Assert.That(e.Status, Is.EqualTo(status));
                Assert.That(e.Code, Is.EqualTo(code));
                Assert.That(e.Message, Is.EqualTo("m-" + code));
                Assert.That(e.Category, Is.EqualTo("c"));
                Assert.That(e.Retryable, Is.False, "the envelope's retryable wins");
                Assert.That(e.RequestId, Is.EqualTo("req-9"));
                Assert.That(e.TraceId, Is.EqualTo(handler.Requests[0].Header("X-Trace-Id")));
                Assert.That(e.Details["field"].ToString(), Is.EqualTo("to_agent"));
                Assert.That(e.Body["ok"].ToString(), Is.EqualTo("False"));
            }
        }

        [Test]
        public void NonJsonErrorBodyStillGivesAClearMessageAndDefaultCode()
        {
            var handler = new FakeHandler().ThenJson(502, "<html>bad gateway</html>");
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 0))
            {
                var e = (ServerException)CatchFrom(() => client.GetHealthAsync().GetAwaiter().GetResult());
                Assert.That(e.Code, Is.EqualTo("http_502"), "REQ-ERR-013");
                Assert.That(e.Message, Is.EqualTo("<html>bad gateway</html>"));
                Assert.That(e.Retryable, Is.True);
                Assert.That(e.Body, Is.Null);
            }
        }

        [Test]
        public void ABodyWithoutTheErrorMemberIsNotAnEnvelope()
        {
            var handler = new FakeHandler().ThenJson(400, "{\"detail\":\"payload must be an object\"}");
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 0))
            {
                var e = (BadRequestException)CatchFrom(() => client.GetHealthAsync().GetAwaiter().GetResult());
                Assert.That(e.Message, Is.EqualTo("{\"detail\":\"payload must be an object\"}"));
                Assert.That(e.Code, Is.EqualTo("http_400"), "no error envelope");
            }
        }

        [Test]
        public void Status408IsARetriedTimeoutCarryingTheResponse()
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(408, "{\"ok\":false,\"error\":{\"code\":\"request_timeout\",\"message\":\"slow\"}}"));
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 1))
            {
                var e = (RequestTimeoutException)CatchFrom(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                Assert.That(e, Is.InstanceOf<AxmeTimeoutException>());
                Assert.That(e.Status, Is.EqualTo(408));
                Assert.That(e.Code, Is.EqualTo("request_timeout"));
                Assert.That(e.Retryable, Is.True);
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(2));
        }

        [TestCase(501)]
        [TestCase(505)]
        public void OnlyTheListedServerErrorsAreRetried(int status)
        {
            var handler = new FakeHandler();
            handler.Fallback = (r, ct) => Task.FromResult(FakeHandler.Json(status, "{\"ok\":false,\"error\":{\"code\":\"x\",\"message\":\"y\"}}"));
            using (var client = TestClients.Create(handler, new List<TimeSpan>()))
            {
                var e = (ServerException)CatchFrom(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                Assert.That(e.Retryable, Is.True, "REQ-ERR-004 flag");
            }
            Assert.That(handler.Requests.Count, Is.EqualTo(1), "REQ-RETRY-002: not retried");
        }

        [Test]
        public void SuccessWithInvalidJsonIsAnAxmeException()
        {
            var handler = new FakeHandler().ThenJson(200, "not json");
            using (var client = TestClients.Create(handler, new List<TimeSpan>(), maxRetries: 0))
            {
                var e = CatchFrom(() => client.GetHealthAsync().GetAwaiter().GetResult());
                Assert.That(e.GetType(), Is.EqualTo(typeof(AxmeException)));
                Assert.That(e.Message.Contains("not a JSON object"), Is.True, e.Message);
            }
        }

        [Test]
        public void HierarchyMatchesTheConventions()
        {
            Assert.That(typeof(AxmeTimeoutException).IsSubclassOf(typeof(AxmeConnectionException)), Is.True);
            Assert.That(typeof(AxmeConnectionException).IsSubclassOf(typeof(AxmeException)), Is.True);
            Assert.That(typeof(WaitTimeoutException).IsSubclassOf(typeof(AxmeException)), Is.True);
            Assert.That(typeof(StreamException).IsSubclassOf(typeof(AxmeException)), Is.True);
            foreach (Type t in new[] { typeof(BadRequestException), typeof(AuthenticationException), typeof(PermissionDeniedException),
                typeof(NotFoundException), typeof(ConflictException), typeof(ValidationException), typeof(RateLimitException), typeof(ServerException) })
            {
                Assert.That(t.IsSubclassOf(typeof(AxmeApiException)), Is.True, t.Name);
            }
        }

        internal static Exception CatchFrom(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                return e;
            }
            Assert.Fail("expected an exception");
            return null;
        }
    }
}
