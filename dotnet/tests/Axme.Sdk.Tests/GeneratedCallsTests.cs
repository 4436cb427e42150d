using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk.ConformanceDriver;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>
    /// Every call of the conformance driver's generated table (Calls.Generated.cs) reaches its operation's
    /// route in spec/dist/openapi.json: path parameters from the args by wire name, a query parameter as
    /// the query, the rest as the body without the path parameters, and the body comes back as sent.
    /// </summary>
    [TestFixture]
    public class GeneratedCallsTests
    {
        private const string Answer = "{\"ok\":true,\"echo\":{\"kept\":[1,null]}}";

        [Test]
        public async Task EveryGeneratedCallSendsItsOperation()
        {
            JObject spec = JObject.Parse(File.ReadAllText(Repo.PathOf("spec", "dist", "openapi.json")));
            var handler = new FakeHandler { Fallback = (request, ct) => Task.FromResult(FakeHandler.Json(200, Answer)) };
            using (var client = TestClients.Create(handler, maxRetries: 0))
            {
                foreach (string name in Calls.GeneratedOperations)
                {
                    Route route = Route.Of(spec, name);
                    var args = new JObject();
                    foreach (string p in route.PathParameters) args[p] = "seg " + p;
                    if (route.Query != null) args[route.Query] = route.QueryIsInteger ? (JToken)5 : "q";
                    JToken result = await Calls.InvokeAsync(client, name, args, CancellationToken.None);
                    Assert.That(JToken.DeepEquals(result, JObject.Parse(Answer)), name + ": " + result);

                    RecordedRequest sent = handler.Requests.Last();
                    string path = route.Path;
                    foreach (string p in route.PathParameters) path = path.Replace("{" + p + "}", "seg%20" + p);
                    Assert.That(sent.Method + " " + sent.Uri.AbsolutePath, Is.EqualTo(route.Verb + " " + path), name);
                    if (route.Query != null && !Calls.NarrowerThanSpec.ContainsKey(name))
                        StringAssert.Contains(route.Query + "=", sent.Uri.Query, name);
                    if (!string.IsNullOrEmpty(sent.Body))
                    {
                        JObject body = JObject.Parse(sent.Body);
                        foreach (string p in route.PathParameters) Assert.That(body[p], Is.Null, name + " sent the path parameter " + p);
                    }
                }
            }
            Assert.That(Calls.GeneratedOperations, Has.Member("rotateCallbackSecret"), "an operation without a scenario is callable too");
        }

        [Test]
        public async Task AnUnknownMethodIsRefused()
        {
            using (var client = TestClients.Create(new FakeHandler(), maxRetries: 0))
            {
                try
                {
                    await Calls.InvokeAsync(client, "noSuchOperation", new JObject(), CancellationToken.None);
                    Assert.Fail("noSuchOperation was called");
                }
                catch (UnsupportedMethodException e)
                {
                    StringAssert.Contains("noSuchOperation", e.Message);
                }
            }
        }

        /// <summary>One operation of the spec: its verb and path, its path parameters and its first query parameter.</summary>
        private sealed class Route
        {
            public string Verb, Path, Query;
            public bool QueryIsInteger;
            public readonly List<string> PathParameters = new List<string>();

            public static Route Of(JObject spec, string operationId)
            {
                foreach (JProperty item in ((JObject)spec["paths"]).Properties())
                {
                    foreach (JProperty op in ((JObject)item.Value).Properties())
                    {
                        if (op.Value.Type != JTokenType.Object || (string)op.Value["operationId"] != operationId) continue;
                        var route = new Route { Verb = op.Name.ToUpperInvariant(), Path = item.Name };
                        var parameters = new List<JToken>();
                        if (item.Value["parameters"] != null) parameters.AddRange(item.Value["parameters"]);
                        if (op.Value["parameters"] != null) parameters.AddRange(op.Value["parameters"]);
                        foreach (JToken reference in parameters)
                        {
                            JToken p = Resolve(spec, reference);
                            if ((string)p["in"] == "path") route.PathParameters.Add((string)p["name"]);
                            else if ((string)p["in"] == "query" && route.Query == null)
                            {
                                route.Query = (string)p["name"];
                                route.QueryIsInteger = (string)Resolve(spec, p["schema"])["type"] == "integer";
                            }
                        }
                        return route;
                    }
                }
                throw new AssertionException(operationId + " is not an operation of the spec");
            }

            private static JToken Resolve(JObject spec, JToken node)
            {
                string reference = node["$ref"] == null ? null : (string)node["$ref"];
                if (reference == null) return node;
                JToken found = spec;
                foreach (string part in reference.Substring(2).Split('/')) found = found[part];
                return found;
            }
        }
    }
}
