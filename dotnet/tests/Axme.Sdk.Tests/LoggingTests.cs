using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Axme.Sdk.Tests.Support;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>The Verbose line of each attempt on <see cref="AxmeLogging.Source"/> (REQ-CLIENT-006).</summary>
    [TestFixture]
    public class LoggingTests
    {
        private sealed class Capture : TraceListener
        {
            public readonly List<string> Lines = new List<string>();

            public override void Write(string message)
            {
            }

            public override void WriteLine(string message)
            {
            }

            public override void TraceEvent(TraceEventCache cache, string source, TraceEventType type, int id,
                string format, params object[] args)
            {
                lock (Lines) Lines.Add(type + " " + string.Format(format, args));
            }
        }

        [Test]
        public async Task EachAttemptIsLoggedVerboseWithStatusAttemptAndRequestIdNeverTheKey()
        {
            var capture = new Capture();
            SourceLevels previous = AxmeLogging.Source.Switch.Level;
            AxmeLogging.Source.Switch.Level = SourceLevels.Verbose;
            AxmeLogging.Source.Listeners.Add(capture);
            try
            {
                var handler = new FakeHandler()
                    .ThenJson(503, "{\"ok\":false,\"error\":{\"code\":\"unavailable\",\"message\":\"down\",\"category\":\"c\",\"retryable\":true}}",
                        FakeHandler.Header("X-Request-Id", "req-1"))
                    .ThenJson(200, "{\"ok\":true,\"intent_id\":\"i-1\",\"status\":\"SUBMITTED\",\"created_at\":\"t\"}",
                        FakeHandler.Header("X-Request-Id", "req-2"));
                using (var client = TestClients.Create(handler))
                {
                    await client.SendIntentAsync(new CreateIntentRequest
                    {
                        IntentType = "intent.demo.v1",
                        ToAgent = "worker",
                        Payload = new Newtonsoft.Json.Linq.JObject { { "note", "body-text" } },
                    });
                }
            }
            finally
            {
                AxmeLogging.Source.Listeners.Remove(capture);
                AxmeLogging.Source.Switch.Level = previous;
            }
            List<string> attempts = capture.Lines.Where(l => l.StartsWith("Verbose POST /v1/intents -> ", StringComparison.Ordinal)).ToList();
            Assert.That(attempts.Count, Is.EqualTo(2), string.Join("\n", capture.Lines));
            StringAssert.StartsWith("Verbose POST /v1/intents -> 503 (attempt 1, request req-1, trace ", attempts[0]);
            StringAssert.StartsWith("Verbose POST /v1/intents -> 200 (attempt 2, request req-2, trace ", attempts[1]);
            foreach (string line in capture.Lines)
            {
                StringAssert.DoesNotContain("test_secret", line);
                StringAssert.DoesNotContain("body-text", line);
            }
        }
    }
}
