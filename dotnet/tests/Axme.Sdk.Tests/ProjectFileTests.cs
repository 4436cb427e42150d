using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Xml.Linq;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>The csproj users build with `dotnet pack`, and the generated code, stay in step with what mcs compiles.</summary>
    [TestFixture]
    public class ProjectFileTests
    {
        private static string SdkDir { get { return Repo.PathOf("dotnet", "src", "Axme.Sdk"); } }

        [Test]
        public void CsprojListsExactlyTheSourcesMcsCompiles()
        {
            XDocument project = XDocument.Load(Path.Combine(SdkDir, "Axme.Sdk.csproj"));
            List<string> listed = project.Descendants("Compile").Select(c => (string)c.Attribute("Include"))
                .Select(p => p.Replace('\\', '/')).OrderBy(p => p, StringComparer.Ordinal).ToList();
            List<string> onDisk = Directory.GetFiles(SdkDir, "*.cs", SearchOption.AllDirectories)
                .Select(p => p.Substring(SdkDir.Length + 1).Replace('\\', '/')).OrderBy(p => p, StringComparer.Ordinal).ToList();
            Assert.That(listed, Is.EqualTo(onDisk), "update dotnet/src/Axme.Sdk/Axme.Sdk.csproj");
            Assert.That(listed.Count, Is.EqualTo(listed.Distinct().Count()), "no duplicates");
        }

        [Test]
        public void CsprojIsAnSdkStyleNetstandardPackageOnNewtonsoft()
        {
            XDocument project = XDocument.Load(Path.Combine(SdkDir, "Axme.Sdk.csproj"));
            Assert.That((string)project.Root.Attribute("Sdk"), Is.EqualTo("Microsoft.NET.Sdk"));
            Assert.That(project.Descendants("TargetFramework").Single().Value, Is.EqualTo("netstandard2.0"));
            Assert.That(project.Descendants("EnableDefaultCompileItems").Single().Value, Is.EqualTo("false"));
            Assert.That(project.Descendants("PackageId").Single().Value, Is.EqualTo("Axme.Sdk"));
            Assert.That(project.Descendants("Version").Single().Value, Is.EqualTo(SdkInfo.Version));
            XElement json = project.Descendants("PackageReference").Single(p => (string)p.Attribute("Include") == "Newtonsoft.Json");
            Assert.That((string)json.Attribute("Version"), Is.EqualTo("13.0.3"));
        }

        [Test]
        public void EveryJsonOperationOfTheSpecHasAnAsyncMethod()
        {
            var spec = JObject.Parse(File.ReadAllText(Repo.PathOf("spec", "dist", "openapi.json")));
            var methods = new HashSet<string>(typeof(AxmeClient).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name));
            var streaming = new Dictionary<string, string>();
            int count = 0;
            foreach (JProperty path in ((JObject)spec["paths"]).Properties())
            {
                foreach (JProperty verb in ((JObject)path.Value).Properties())
                {
                    string opId = verb.Value.Value<string>("operationId");
                    if (opId == null) continue;
                    count++;
                    string expected = streaming.ContainsKey(opId) ? streaming[opId] : char.ToUpperInvariant(opId[0]) + opId.Substring(1) + "Async";
                    Assert.That(methods.Contains(expected), Is.True, opId + " -> " + expected);
                }
            }
            Assert.That(count, Is.GreaterThanOrEqualTo(23));
            foreach (string helper in new[] { "SendIntentAsync", "WaitForAsync", "ResumeIntentWithAsync", "FailIntentAsync", "CancelIntentAsync",
                "ApproveTaskAsync", "RejectTaskAsync", "CompleteTaskAsync" })
            {
                Assert.That(methods.Contains(helper), Is.True, helper);
            }
        }

        /// <summary>
        /// Debian's Newtonsoft.Json 6.0.8 runs on CoreCLR only without its reflection serializer
        /// (that path needs System.Security.Permissions), so the SDK sticks to LINQ-to-JSON.
        /// </summary>
        [Test]
        public void SdkUsesOnlyLinqToJson()
        {
            foreach (string file in Directory.GetFiles(SdkDir, "*.cs", SearchOption.AllDirectories))
            {
                string text = File.ReadAllText(file);
                foreach (string banned in new[] { "JsonConvert", "JsonSerializer", "FromObject(", "ToObject<", "ToObject(" })
                {
                    Assert.That(text.Contains(banned), Is.False, file + " uses " + banned);
                }
            }
        }

        /// <summary>Every C# name spec/naming.yaml gives an operation or helper exists on AxmeClient.</summary>
        [Test]
        public void NamesMatchSpecNaming()
        {
            string naming = File.ReadAllText(Repo.PathOf("spec", "naming.yaml"));
            string body = naming.Substring(0, naming.IndexOf("\nconcepts:", StringComparison.Ordinal));
            var methods = new HashSet<string>(typeof(AxmeClient).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name));
            var names = System.Text.RegularExpressions.Regex.Matches(body, @"csharp: ([A-Za-z~]+)\}").Cast<System.Text.RegularExpressions.Match>()
                .Select(m => m.Groups[1].Value).ToList();
            Assert.That(names.Count, Is.GreaterThanOrEqualTo(30));
            foreach (string name in names.Where(n => n != "~")) Assert.That(methods.Contains(name), Is.True, "naming.yaml: " + name);
            Assert.That(naming.Contains("csharp: IntentEventStream"), Is.True);
        }

        [Test]
        public void GeneratedFilesCarryTheDoNotEditBanner()
        {
            string[] files = Directory.GetFiles(Path.Combine(SdkDir, "Generated"), "*.cs");
            Assert.That(files.Length, Is.EqualTo(2)); // models and constants; the operations are hand-written
            foreach (string f in files)
            {
                string head = File.ReadAllText(f).Substring(0, 200);
                Assert.That(head.Contains("<auto-generated>") && head.Contains("DO NOT EDIT"), Is.True, f);
            }
        }

        [Test]
        public void EveryPublicAsyncMethodEndsWithACancellationToken()
        {
            foreach (MethodInfo m in typeof(AxmeClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (!typeof(System.Threading.Tasks.Task).IsAssignableFrom(m.ReturnType) && m.Name != "Observe") continue;
                ParameterInfo[] ps = m.GetParameters();
                Assert.That(ps.Length > 0 && ps[ps.Length - 1].ParameterType == typeof(System.Threading.CancellationToken), Is.True, m.ToString());
                if (m.Name != "Observe") Assert.That(m.Name.EndsWith("Async"), Is.True, m.ToString());
            }
        }
    }
}
