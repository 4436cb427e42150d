using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Axme.Sdk;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.ConformanceDriver
{
    /// <summary>
    /// JSON-lines driver for the conformance harness (conformance/driver-protocol.md). Reads ops
    /// from stdin, runs each as its own task (ops may overlap), writes protocol lines to stdout.
    /// Uses only the public Axme.Sdk API.
    /// </summary>
    public static class Program
    {
        private static readonly object WriteLock = new object();
        private static TextWriter _out;
        private static readonly ConcurrentDictionary<long, CancellationTokenSource> Running =
            new ConcurrentDictionary<long, CancellationTokenSource>();
        private static readonly Clients Clients = new Clients();

        public static int Main(string[] args)
        {
            _out = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            Console.InputEncoding = new UTF8Encoding(false);
            AxmeLogging.Source.Switch.Level = SourceLevels.Warning;
            AxmeLogging.Source.Listeners.Clear();
            AxmeLogging.Source.Listeners.Add(new TextWriterTraceListener(Console.Error));
            Trace.AutoFlush = true; // each trace line reaches stderr as it is written, not at exit
            var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
            string line;
            while ((line = stdin.ReadLine()) != null)
            {
                if (line.Trim().Length == 0) continue;
                JObject message;
                try
                {
                    message = (JObject)AxmeJson.Parse(line);
                }
                catch (Exception e)
                {
                    Console.Error.WriteLine("driver: unreadable line: " + e.Message);
                    continue;
                }
                long id = message.Value<long?>("id") ?? 0;
                string op = message.Value<string>("op");
                if (op == "shutdown")
                {
                    Write(new JObject { { "id", id }, { "ok", true }, { "result", new JObject() } });
                    return 0;
                }
                Dispatch(id, op, message);
            }
            return 0;
        }

        private static void Dispatch(long id, string op, JObject message)
        {
            if (op == "hello" || op == "new_client" || op == "cancel")
            {
                // Quick, and later lines depend on them: run in arrival order on the reader thread.
                try
                {
                    RunOpAsync(id, op, message, null).GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    Write(ErrorLine(id, e));
                }
                return;
            }
            var cts = new CancellationTokenSource();
            Running[id] = cts;
            Task.Run(async () =>
            {
                try
                {
                    await RunOpAsync(id, op, message, cts).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    Write(ErrorLine(id, e));
                }
                finally
                {
                    CancellationTokenSource removed;
                    Running.TryRemove(id, out removed);
                    cts.Dispose();
                }
            });
        }

        private static async Task RunOpAsync(long id, string op, JObject message, CancellationTokenSource cts)
        {
            JObject args = message["args"] as JObject ?? message;
            switch (op)
            {
                case "hello":
                    WriteResult(id, new JObject
                    {
                        { "sdk", "dotnet" },
                        { "version", SdkInfo.Version },
                        { "capabilities", new JArray("retries", "observe", "wait_for", "listen", "cancel", "push") },
                    });
                    return;
                case "new_client":
                    WriteResult(id, new JObject { { "client", Clients.Create(message["config"] as JObject ?? new JObject()) } });
                    return;
                case "call":
                    {
                        AxmeClient client = Clients.Get(message.Value<string>("client"));
                        JToken result = await Calls.InvokeAsync(client, message.Value<string>("method"), args, cts.Token).ConfigureAwait(false);
                        WriteResult(id, result);
                        return;
                    }
                case "observe":
                    await Streams.ObserveAsync(Clients.Get(message.Value<string>("client")), id, args, cts.Token).ConfigureAwait(false);
                    return;
                case "wait_for":
                    {
                        AxmeClient client = Clients.Get(message.Value<string>("client"));
                        long? ms = args.Value<long?>("timeout_ms");
                        var intent = await client.WaitForAsync(args.Value<string>("intent_id"),
                            ms.HasValue ? TimeSpan.FromMilliseconds(ms.Value) : (TimeSpan?)null, cts.Token).ConfigureAwait(false);
                        WriteResult(id, intent.ToJson());
                        return;
                    }
                case "listen":
                    await Streams.ListenAsync(Clients.Get(message.Value<string>("client")), id, args, cts).ConfigureAwait(false);
                    return;
                case "push_receiver":
                    await PushOps.ReceiveAsync(Clients.Get(message.Value<string>("client")), id, args, cts.Token).ConfigureAwait(false);
                    return;
                case "cancel":
                    {
                        long target = args.Value<long?>("target_id") ?? message.Value<long?>("target_id") ?? 0;
                        CancellationTokenSource targetCts;
                        bool found = Running.TryGetValue(target, out targetCts);
                        if (found) targetCts.Cancel();
                        WriteResult(id, new JObject { { "cancelled", found } });
                        return;
                    }
                default:
                    Write(new JObject
                    {
                        { "id", id }, { "ok", false },
                        { "error", Errors.Describe("DriverError", "unknown op '" + op + "'") },
                    });
                    return;
            }
        }

        internal static void WriteResult(long id, JToken result)
        {
            Write(new JObject { { "id", id }, { "ok", true }, { "result", result ?? new JObject() } });
        }

        internal static JObject ErrorLine(long id, Exception e)
        {
            return new JObject { { "id", id }, { "ok", false }, { "error", Errors.From(e) } };
        }

        internal static void Write(JObject line)
        {
            string text = line.ToString(Formatting.None);
            lock (WriteLock)
            {
                _out.WriteLine(text);
            }
        }
    }

    /// <summary>The driver's clients: "c1", "c2", …; an op without "client" uses the latest.</summary>
    /// <summary>The SDK refused a new_client config: protocol error type Configuration.</summary>
    internal sealed class ConfigurationRefusedException : Exception
    {
        public ConfigurationRefusedException(string message) : base(message)
        {
        }
    }

    internal sealed class Clients
    {
        private readonly Dictionary<string, AxmeClient> _byName = new Dictionary<string, AxmeClient>();
        private string _latest;

        public string Create(JObject config)
        {
            // An absent api_key/base_url stays null: the SDK reads AXME_API_KEY / AXME_BASE_URL.
            var settings = new AxmeClientConfig
            {
                BaseUrl = config.Value<string>("base_url"),
                ApiKey = config.Value<string>("api_key"),
                MaxRetries = config.Value<int?>("max_retries"),
            };
            if (config.Value<string>("log_level") == "debug")
            {
                // The SDK's TraceSource is process-wide; Main already lists a Console.Error listener.
                AxmeLogging.Source.Switch.Level = SourceLevels.Verbose;
            }
            long? retryBase = config.Value<long?>("retry_base_ms");
            if (retryBase.HasValue) settings.RetryBaseDelay = TimeSpan.FromMilliseconds(retryBase.Value);
            long? timeout = config.Value<long?>("timeout_ms");
            if (timeout.HasValue) settings.Timeout = TimeSpan.FromMilliseconds(timeout.Value);
            AxmeClient client;
            try
            {
                client = new AxmeClient(settings);
            }
            catch (AxmeException refused) // the constructor does no I/O: a configuration error
            {
                throw new ConfigurationRefusedException(refused.Message);
            }
            lock (_byName)
            {
                _latest = "c" + (_byName.Count + 1);
                _byName[_latest] = client;
                return _latest;
            }
        }

        public AxmeClient Get(string name)
        {
            lock (_byName)
            {
                AxmeClient client;
                if (_byName.TryGetValue(name ?? _latest ?? "", out client)) return client;
            }
            throw new InvalidOperationException("no client '" + (name ?? "(latest)") + "': send new_client first");
        }
    }
}
