using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Axme.Sdk.Tests.Support;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Tests.Integration
{
    /// <summary>
    /// The real reference server (docs/architecture.md#the-reference-server-process), started once per test run on 127.0.0.1 with a
    /// throw-away data dir and --testing; each test works in a fresh namespace of its own.
    /// </summary>
    public sealed class ReferenceServer : IDisposable
    {
        private static readonly object Gate = new object();
        private static ReferenceServer _shared;

        private readonly Process _process;
        private readonly string _dataDir;
        private readonly StringBuilder _stderr = new StringBuilder();
        private static readonly HttpClient Http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        public static ReferenceServer Shared
        {
            get
            {
                lock (Gate)
                {
                    if (_shared == null)
                    {
                        _shared = new ReferenceServer();
                        AppDomain.CurrentDomain.DomainUnload += (s, e) => _shared.Dispose();
                        AppDomain.CurrentDomain.ProcessExit += (s, e) => _shared.Dispose();
                    }
                    return _shared;
                }
            }
        }

        public string BaseUrl { get; private set; }

        /// <summary>The admin key of the server's first workspace (workspace management, rotateLinkSecret).</summary>
        public string OperatorKey { get; private set; }

        public static string Python
        {
            get
            {
                string fromEnv = Environment.GetEnvironmentVariable("AXME_PYTHON");
                return string.IsNullOrEmpty(fromEnv) ? Repo.PathOf(".venv", "bin", "python") : fromEnv;
            }
        }

        private ReferenceServer()
        {
            _dataDir = Path.Combine(Path.GetTempPath(), "axme-dotnet-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dataDir);
            var start = new ProcessStartInfo(Python,
                "-m axme_server --host 127.0.0.1 --port 0 --testing --sqlite-synchronous NORMAL --data-dir \"" + _dataDir + "\"")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Repo.Root,
            };
            _process = Process.Start(start);
            _process.ErrorDataReceived += (s, e) => { lock (_stderr) if (e.Data != null && _stderr.Length < 20000) _stderr.AppendLine(e.Data); };
            _process.BeginErrorReadLine();
            Task<string> ready = Task.Run(() =>
            {
                string line;
                while ((line = _process.StandardOutput.ReadLine()) != null)
                {
                    if (line.StartsWith("AXME_SERVER_READY ", StringComparison.Ordinal)) return line;
                }
                return null;
            });
            if (!ready.Wait(TimeSpan.FromSeconds(60)) || ready.Result == null)
            {
                Dispose();
                throw new InvalidOperationException("reference server did not become ready: " + _stderr);
            }
            JObject info = JObject.Parse(ready.Result.Substring("AXME_SERVER_READY ".Length));
            BaseUrl = info.Value<string>("base_url");
            OperatorKey = info.Value<string>("admin_api_key");
            // Keep draining stdout so the server never blocks on a full pipe.
            Task.Run(() => { while (_process.StandardOutput.ReadLine() != null) { } });
        }

        /// <summary>A fresh workspace: (namespace, admin key).</summary>
        public Namespace NewNamespace()
        {
            JObject created = Post("/_testing/namespaces", new JObject());
            return new Namespace(this, created.Value<string>("namespace"), created.Value<string>("admin_api_key"));
        }

        internal JObject Post(string path, JObject body)
        {
            var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
            HttpResponseMessage response = Http.PostAsync(BaseUrl + path, content).Result;
            string text = response.Content.ReadAsStringAsync().Result;
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException(path + " -> " + (int)response.StatusCode + " " + text);
            return JObject.Parse(text);
        }

        internal JObject Get(string path)
        {
            return JObject.Parse(Http.GetStringAsync(BaseUrl + path).Result);
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    _process.WaitForExit(10000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            try
            {
                Directory.Delete(_dataDir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>One test's workspace on the shared server.</summary>
    public sealed class Namespace
    {
        private readonly ReferenceServer _server;

        internal Namespace(ReferenceServer server, string name, string adminKey)
        {
            _server = server;
            Name = name;
            AdminKey = adminKey;
        }

        public string Name { get; private set; }
        public string AdminKey { get; private set; }

        public AxmeClient Client(string key = null)
        {
            return new AxmeClient(new AxmeClientConfig
            {
                BaseUrl = _server.BaseUrl,
                ApiKey = key ?? AdminKey,
                RetryBaseDelay = TimeSpan.FromMilliseconds(20),
                Timeout = TimeSpan.FromSeconds(20),
            });
        }

        /// <summary>Registers a fault (REQ-TEST-004) for this namespace.</summary>
        public void AddFault(JObject match, JObject action)
        {
            _server.Post("/_testing/faults", new JObject { { "namespace", Name }, { "match", match }, { "action", action } });
        }

        /// <summary>What this namespace's clients sent, as the server recorded it.</summary>
        public JArray Requests()
        {
            return (JArray)_server.Get("/_testing/requests?namespace=" + Uri.EscapeDataString(Name))["requests"];
        }
    }
}
