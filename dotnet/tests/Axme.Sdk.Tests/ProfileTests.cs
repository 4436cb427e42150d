using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using NUnit.Framework;

namespace Axme.Sdk.Tests
{
    /// <summary>
    /// Config defaults: set values, then AXME_API_KEY / AXME_BASE_URL, then the profile <c>axme login</c> saved,
    /// then the public URL (REQ-CLIENT-001, REQ-CLIENT-008); connection errors name the URL (REQ-CLIENT-009).
    /// </summary>
    [TestFixture]
    public class ProfileTests
    {
        private const string Local = "http://127.0.0.1:8100";
        private string _dir;

        [SetUp]
        public void MakeDir()
        {
            _dir = Path.Combine(Path.GetTempPath(), "axme-profile-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_dir);
        }

        [TearDown]
        public void RemoveDir()
        {
            Directory.Delete(_dir, true);
        }

        private string Write(string content)
        {
            string file = Path.Combine(_dir, Profile.FileName);
            File.WriteAllText(file, content);
            return file;
        }

        private static Uri BaseUri(AxmeClientConfig config)
        {
            using (var client = new AxmeClient(config)) return client.Pipeline.Settings.BaseUri;
        }

        [Test]
        public void TheProfileFillsWhatTheConfigLeavesOut()
        {
            string file = Write("{\"base_url\":\"" + Local + "\",\"api_key\":\"axme_admin_p_s\",\"other\":1}");
            Profile profile = Profile.Read(file);
            Assert.That(profile.BaseUrl, Is.EqualTo(Local));
            Assert.That(profile.ApiKey, Is.EqualTo("axme_admin_p_s"));
            if (Environment.GetEnvironmentVariable("AXME_BASE_URL") == null && Environment.GetEnvironmentVariable("AXME_API_KEY") == null)
            {
                Assert.That(BaseUri(new AxmeClientConfig { ProfileFile = file }), Is.EqualTo(new Uri(Local + "/")));
            }
            Assert.That(BaseUri(new AxmeClientConfig { ProfileFile = file, BaseUrl = "http://given.test" }),
                Is.EqualTo(new Uri("http://given.test/")));
        }

        [Test]
        public void WithoutAProfileTheDefaultsApply()
        {
            string none = Path.Combine(_dir, "missing", Profile.FileName);
            Assert.That(Profile.Read(none).BaseUrl, Is.Null);
            if (Environment.GetEnvironmentVariable("AXME_BASE_URL") != null) return;
            Assert.That(BaseUri(new AxmeClientConfig { ProfileFile = none, ApiKey = "k" }),
                Is.EqualTo(new Uri(AxmeClientConfig.DefaultBaseUrl + "/")));
            if (Environment.GetEnvironmentVariable("AXME_API_KEY") != null) return;
            var e = Assert.Throws<AxmeException>(() => new AxmeClient(new AxmeClientConfig { ProfileFile = none }));
            StringAssert.Contains("axme login", e.Message);
        }

        [Test]
        public void ABrokenProfileIsAnErrorNamingIt()
        {
            foreach (string content in new[] { "{not json", "[1]", "{\"base_url\":8100}", "{\"api_key\":[\"x\"]}" })
            {
                string file = Write(content);
                var e = Assert.Throws<AxmeException>(() => Profile.Read(file), content);
                StringAssert.Contains(file, e.Message);
                BaseUri(new AxmeClientConfig { ProfileFile = file, ApiKey = "k", BaseUrl = Local }); // not read
            }
        }

        [Test]
        public void TheConfigDirFollowsThePlatform()
        {
            Func<Dictionary<string, string>, Func<string, string>> env = vars => name =>
            {
                string value;
                return vars.TryGetValue(name, out value) ? value : null;
            };
            string home = "/home/u";
            var none = new Dictionary<string, string>();
            Assert.That(Profile.ConfigDir(env(new Dictionary<string, string> { { "AXME_CONFIG_DIR", "/x/cfg" } }), "unix", home), Is.EqualTo("/x/cfg"));
            Assert.That(Profile.ConfigDir(env(new Dictionary<string, string> { { "XDG_CONFIG_HOME", "/xdg" } }), "unix", home), Is.EqualTo(Path.Combine("/xdg", "axme")));
            Assert.That(Profile.ConfigDir(env(new Dictionary<string, string> { { "XDG_CONFIG_HOME", " " } }), "unix", home), Is.EqualTo(Path.Combine(home, ".config", "axme")));
            Assert.That(Profile.ConfigDir(env(none), "macos", home), Is.EqualTo(Path.Combine(home, "Library", "Application Support", "axme")));
            Assert.That(Profile.ConfigDir(env(new Dictionary<string, string> { { "APPDATA", "/appdata" } }), "windows", home), Is.EqualTo(Path.Combine("/appdata", "axme")));
        }

        [Test]
        public void ConnectionErrorsNameTheUrlTried()
        {
            using (var client = new AxmeClient(new AxmeClientConfig { ApiKey = "k", BaseUrl = "http://127.0.0.1:9", MaxRetries = 0 }))
            {
                var e = Assert.Throws<AxmeConnectionException>(() => client.GetIntentAsync("i-1").GetAwaiter().GetResult());
                StringAssert.Contains("http://127.0.0.1:9/v1/intents/i-1", e.Message);
            }
        }
    }
}
