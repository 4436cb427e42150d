using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Axme.Sdk.Models;
using NUnit.Framework;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>examples/dotnet: the approval agent and initiator as real processes on the local server.</summary>
    [TestFixture]
    public class ExampleTests
    {
        [Test]
        public async Task HumanApprovalWorkflowRunsEndToEnd()
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            string agentKey;
            using (AxmeClient admin = ns.Client())
            {
                agentKey = await IntentTests.RegisterAsync(admin, "infra-validator");
            }
            string dir = AppDomain.CurrentDomain.BaseDirectory;
            using (Process agent = Start(Path.Combine(dir, "ApprovalAgent.exe"), "infra-validator --max 1", agentKey))
            using (Process initiator = Start(Path.Combine(dir, "ApprovalInitiator.exe"), "--to infra-validator --approve", ns.AdminKey))
            {
                string initiatorOut = Finish(initiator, "initiator");
                string agentOut = Finish(agent, "agent");
                Assert.That(initiator.ExitCode, Is.EqualTo(0), initiatorOut);
                Assert.That(agent.ExitCode, Is.EqualTo(0), agentOut);
                Assert.That(initiatorOut.Contains("intent.human_task_assigned"), Is.True, initiatorOut);
                Assert.That(initiatorOut.Contains("approved as the human reviewer"), Is.True, initiatorOut);
                Assert.That(initiatorOut.Contains("initiator: COMPLETED result={\"validated\":true"), Is.True, initiatorOut);
                Assert.That(agentOut.Contains("handled 1 deliveries"), Is.True, agentOut);
            }
        }

        private static Process Start(string exe, string arguments, string apiKey)
        {
            var info = new ProcessStartInfo("mono", "\"" + exe + "\" " + arguments)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.EnvironmentVariables["AXME_BASE_URL"] = ReferenceServer.Shared.BaseUrl;
            info.EnvironmentVariables["AXME_API_KEY"] = apiKey;
            return Process.Start(info);
        }

        private static string Finish(Process p, string name)
        {
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(90000))
            {
                p.Kill();
                Assert.Fail(name + " did not finish within 90 s: " + stdout.Result + stderr.Result);
            }
            return new StringBuilder().Append(stdout.Result).Append(stderr.Result).ToString();
        }
    }
}
