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
        public async Task HumanApprovalWorkflowRunsEndToEndOnMono()
        {
            await RunWorkflowAsync(AppDomain.CurrentDomain.BaseDirectory, "mono", "Mono");
        }

        /// <summary>The same mcs-built assemblies on a real CoreCLR (.NET 8 from PyPI, see the Makefile).</summary>
        [Test]
        public async Task HumanApprovalWorkflowRunsEndToEndOnDotNet8()
        {
            string dotnet = Environment.GetEnvironmentVariable("AXME_DOTNET8");
            if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
            {
                Assert.Ignore("AXME_DOTNET8 not set: run through `make -C dotnet test`, which installs the runtime");
            }
            string dir = Path.Combine(Path.GetTempPath(), "axme-dotnet8-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string build = AppDomain.CurrentDomain.BaseDirectory;
            foreach (string f in new[] { "Axme.Sdk.dll", "ApprovalAgent.exe", "ApprovalInitiator.exe" })
            {
                File.Copy(Path.Combine(build, f), Path.Combine(dir, f));
            }
            // Debian's Newtonsoft.Json 6.0.8 loads on CoreCLR as long as only LINQ-to-JSON is used (the SDK's rule).
            File.Copy("/usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll", Path.Combine(dir, "Newtonsoft.Json.dll"));
            foreach (string app in new[] { "ApprovalAgent", "ApprovalInitiator" })
            {
                File.WriteAllText(Path.Combine(dir, app + ".runtimeconfig.json"),
                    "{\"runtimeOptions\":{\"tfm\":\"net8.0\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"8.0.4\"}}}");
            }
            try
            {
                await RunWorkflowAsync(dir, dotnet, "CoreCLR 8.0.4");
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static async Task RunWorkflowAsync(string dir, string runner, string expectedRuntime)
        {
            Namespace ns = ReferenceServer.Shared.NewNamespace();
            string agentKey;
            using (AxmeClient admin = ns.Client())
            {
                agentKey = await IntentTests.RegisterAsync(admin, "infra-validator");
            }
            using (Process agent = Start(runner, Path.Combine(dir, "ApprovalAgent.exe"), "infra-validator --max 1", agentKey))
            using (Process initiator = Start(runner, Path.Combine(dir, "ApprovalInitiator.exe"), "--to infra-validator --approve", ns.AdminKey))
            {
                string initiatorOut = Finish(initiator, "initiator");
                string agentOut = Finish(agent, "agent");
                Assert.That(initiator.ExitCode, Is.EqualTo(0), initiatorOut);
                Assert.That(agent.ExitCode, Is.EqualTo(0), agentOut);
                Assert.That(initiatorOut.Contains("initiator: runtime " + expectedRuntime), Is.True, initiatorOut);
                Assert.That(initiatorOut.Contains("intent.human_task_assigned"), Is.True, initiatorOut);
                Assert.That(initiatorOut.Contains("approved as the human reviewer"), Is.True, initiatorOut);
                Assert.That(initiatorOut.Contains("initiator: COMPLETED result={\"validated\":true"), Is.True, initiatorOut);
                Assert.That(agentOut.Contains("handled 1 deliveries"), Is.True, agentOut);
            }
        }

        private static Process Start(string runner, string exe, string arguments, string apiKey)
        {
            var info = new ProcessStartInfo(runner, "\"" + exe + "\" " + arguments)
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
