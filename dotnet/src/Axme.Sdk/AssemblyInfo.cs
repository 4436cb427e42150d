using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Axme.Sdk")]
[assembly: AssemblyDescription("AXME client: durable intents with human approval built in (AXP v1).")]
[assembly: AssemblyVersion("0.1.0.0")]
[assembly: AssemblyInformationalVersion(Axme.Sdk.SdkInfo.Version)]
// Unit tests drive the retry/backoff seams (RetryPolicy.Sleep) without sleeping for real.
[assembly: InternalsVisibleTo("Axme.Sdk.Tests")]
