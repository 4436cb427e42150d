using System;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>RotateCallbackSecretAsync, RotateWebhookSecretAsync, RotateLinkSecretAsync on the reference server (REQ-SECRET-002/004/006..008).</summary>
    [TestFixture]
    public class SecretRotationTests
    {
        private static readonly Regex Generated = new Regex("^whsec_[0-9A-Za-z]{32}$");

        [Test]
        public async Task RotateCallbackSecretShowsTheNewSecretOnce()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                await admin.RegisterAgentAsync(new RegisterAgentRequest
                {
                    Address = "hook", DeliveryMode = "http", CallbackUrl = "http://127.0.0.1:9/axme",
                });
                var once = new RequestOptions { IdempotencyKey = "rotate-" + Guid.NewGuid().ToString("N") };
                CallbackSecretRotatedResponse rotated = await admin.RotateCallbackSecretAsync("hook", new RotateCallbackSecretRequest(), once);
                Assert.That(Generated.IsMatch(rotated.CallbackSecret), Is.True, rotated.CallbackSecret);
                Assert.That(rotated.Agent.Address, Is.StringEnding("/hook"));
                Assert.That(rotated.Agent.ToJson()["callback_secret"], Is.Null);
                Assert.That(rotated.PreviousExpiresAt, Is.Not.Null);
                Assert.That((await admin.GetAgentAsync("hook")).ToJson().ToString().Contains("callback_secret"), Is.False);
                var replay = Assert.Throws<ConflictException>(() =>
                    admin.RotateCallbackSecretAsync("hook", new RotateCallbackSecretRequest(), once).GetAwaiter().GetResult());
                Assert.That(replay.Details.Value<string>("reason"), Is.EqualTo("secret_not_kept"));

                CallbackSecretRotatedResponse chosen = await admin.RotateCallbackSecretAsync("hook",
                    new RotateCallbackSecretRequest { CallbackSecret = "my-own-secret-0123456789", OverlapSeconds = 0 });
                Assert.That(chosen.CallbackSecret, Is.EqualTo("my-own-secret-0123456789"));
                Assert.That(chosen.PreviousExpiresAt, Is.Null);
                await IntentTests.RegisterAsync(admin, "polling");
                var wrongMode = Assert.Throws<ConflictException>(() =>
                    admin.RotateCallbackSecretAsync("polling", null).GetAwaiter().GetResult());
                Assert.That(wrongMode.Code, Is.EqualTo("invalid_transition"));
            }
        }

        [Test]
        public async Task WebhookSecretNeedsAnAdminAndLinkSecretTheOperator()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            using (AxmeClient agent = ns.Client(await IntentTests.RegisterAsync(admin, "not-admin")))
            using (AxmeClient op = ns.Client(ReferenceServer.Shared.OperatorKey))
            {
                WebhookSecretRotatedResponse hook = await admin.RotateWebhookSecretAsync(new RotateSecretRequest { OverlapSeconds = 0 });
                Assert.That(Generated.IsMatch(hook.WebhookSecret), Is.True, hook.WebhookSecret);
                Assert.That(hook.PreviousExpiresAt, Is.Null);
                Assert.Throws<PermissionDeniedException>(() => agent.RotateWebhookSecretAsync(null).GetAwaiter().GetResult());
                Assert.Throws<ValidationException>(() =>
                    admin.RotateWebhookSecretAsync(new RotateSecretRequest { OverlapSeconds = 604801 }).GetAwaiter().GetResult());

                LinkSecretRotatedResponse link = await op.RotateLinkSecretAsync(new RotateSecretRequest { OverlapSeconds = 3600 });
                Assert.That(link.RotatedAt, Is.Not.Null);
                Assert.That(link.PreviousExpiresAt, Is.Not.Null);
                Assert.That(link.ToJson().Count, Is.EqualTo(3), link.ToJson().ToString());
                var denied = Assert.Throws<PermissionDeniedException>(() => admin.RotateLinkSecretAsync(null).GetAwaiter().GetResult());
                Assert.That(denied.Details.Value<string>("reason"), Is.EqualTo("operator_required"));
            }
        }
    }
}
