using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>The server pushes to a PushReceiver on HttpListener (REQ-PUSH-*), over 127.0.0.1.</summary>
    [TestFixture]
    public class PushIntegrationTests
    {
        private const string Secret = "whsec_dotnet_integration_0123456789ab";

        private static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        [Test]
        public async Task PushedDeliveryCompletesAndAReplayIsRefused()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            string url = "http://127.0.0.1:" + FreePort() + "/";
            using (AxmeClient admin = ns.Client())
            {
                var request = AxmeModel.FromJson<RegisterAgentRequest>(new JObject
                {
                    { "address", "dotnet-push" }, { "delivery_mode", "http" }, { "callback_url", url }, { "callback_secret", Secret },
                });
                AgentRegisteredResponse registered = await admin.RegisterAgentAsync(request);
                var served = new ConcurrentQueue<string>();
                using (AxmeClient agent = ns.Client(registered.ApiKey))
                using (var receiver = new PushReceiver(agent, ctx =>
                {
                    served.Enqueue(ctx.Delivery.DeliveryId);
                    return Task.FromResult(new JObject { { "echo", ctx.Intent.Payload["name"] } });
                }, new PushVerifier(Secret), url))
                {
                    receiver.Start();
                    string id = await admin.SendIntentAsync(IntentTests.Intent("dotnet-push"));
                    Intent done = await admin.WaitForAsync(id, TimeSpan.FromSeconds(30));
                    Assert.That(done.Status, Is.EqualTo(IntentStatus.Completed));
                    Assert.That(done.Result.Value<string>("echo"), Is.EqualTo("Zoë ✓"));
                    Assert.That(served.Count, Is.EqualTo(1));

                    string deliveryId;
                    served.TryPeek(out deliveryId);
                    byte[] body = Encoding.UTF8.GetBytes(new JObject { { "delivery_id", deliveryId }, { "intent_id", id } }.ToString(Newtonsoft.Json.Formatting.None));
                    using (var http = new HttpClient())
                    using (var replay = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) })
                    {
                        replay.Headers.Add("X-Axme-Signature", Push.SignDelivery(body, Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
                        replay.Headers.Add("X-Axme-Delivery-Id", deliveryId);
                        HttpResponseMessage answer = await http.SendAsync(replay);
                        Assert.That((int)answer.StatusCode, Is.EqualTo(401));
                        Assert.That(await answer.Content.ReadAsStringAsync(), Is.StringContaining("replayed_delivery"));
                    }
                    await receiver.StopAsync();
                }
                Assert.That(served.Count, Is.EqualTo(1));
            }
        }
    }
}
