using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Axme.Sdk.Tests.Support
{
    /// <summary>Clients over a <see cref="FakeHandler"/> whose backoff sleeps are recorded, not slept.</summary>
    public static class TestClients
    {
        public static AxmeClient Create(FakeHandler handler, List<TimeSpan> sleeps = null, int maxRetries = 2,
            TimeSpan? timeout = null, TimeSpan? idle = null)
        {
            var client = new AxmeClient(new AxmeClientConfig
            {
                ApiKey = "axme_admin_test_secret",
                BaseUrl = "http://axme.test",
                MaxRetries = maxRetries,
                Timeout = timeout,
                StreamIdleTimeout = idle,
                HttpMessageHandler = handler,
            });
            client.Pipeline.Retry.Sleep = (delay, ct) =>
            {
                if (sleeps != null) lock (sleeps) sleeps.Add(delay);
                ct.ThrowIfCancellationRequested();
                return Task.FromResult(true);
            };
            return client;
        }

        public const string IntentJson =
            "{\"ok\":true,\"intent\":{\"intent_id\":\"11111111-1111-1111-1111-111111111111\",\"status\":\"SUBMITTED\",\"last_seq\":1,\"created_at\":\"2026-11-21T10:00:00.123Z\",\"x_future\":{\"a\":1}}}";
    }
}
