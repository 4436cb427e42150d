using System.Linq;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>DeleteAgent, ListAgentKeys, ListMyTasks and the workspace calls on the reference server.</summary>
    [TestFixture]
    public class DirectoryTests
    {
        [Test]
        public async Task DeleteAgentRevokesItsKeysAndListAgentKeysListsThem()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                string agentKey = await IntentTests.RegisterAsync(admin, "gone");
                KeyCreatedResponse second = await admin.CreateAgentKeyAsync("gone", new CreateAgentKeyRequest());
                KeyListResponse keys = await admin.ListAgentKeysAsync("gone");
                Assert.That(keys.Keys.Count, Is.EqualTo(2));
                Assert.That(keys.Keys[1].KeyId, Is.EqualTo(second.Key.KeyId));
                AgentDeletedResponse removed = await admin.DeleteAgentAsync("gone");
                Assert.That(removed.Agent.Address, Is.StringEnding("/gone"));
                Assert.That(removed.RevokedKeyIds.OrderBy(k => k), Is.EqualTo(keys.Keys.Select(k => k.KeyId).OrderBy(k => k)));
                using (AxmeClient agent = ns.Client(agentKey))
                {
                    Assert.Throws<AuthenticationException>(() => agent.GetAgentAsync("gone").GetAwaiter().GetResult());
                }
                Assert.Throws<NotFoundException>(() => admin.DeleteAgentAsync("gone").GetAwaiter().GetResult());
            }
        }

        [Test]
        public async Task ListMyTasksIsAHumanInboxAndWorkspacesNeedAnOperatorKey()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            using (AxmeClient admin = ns.Client())
            {
                KeyCreatedResponse human = await admin.CreateKeyAsync(new CreateKeyRequest
                {
                    Kind = "human", Name = "ann", Human = new HumanIdentity { Id = "ann", DisplayName = "Ann" },
                });
                using (AxmeClient ann = ns.Client(human.ApiKey))
                {
                    TaskListResponse inbox = await ann.ListMyTasksAsync();
                    Assert.That(inbox.Tasks.Count, Is.EqualTo(0));
                }
                Assert.Throws<PermissionDeniedException>(() => admin.ListMyTasksAsync().GetAwaiter().GetResult());
                Assert.Throws<PermissionDeniedException>(() => admin.ListWorkspacesAsync().GetAwaiter().GetResult());
                Assert.Throws<PermissionDeniedException>(() => admin.CreateWorkspaceAsync(
                    new CreateWorkspaceRequest { Org = "dotnetorg", Name = "production" }).GetAwaiter().GetResult());
            }
        }
    }
}
