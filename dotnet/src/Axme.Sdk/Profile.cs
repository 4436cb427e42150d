using System;
using System.Collections;
using System.IO;
using System.Runtime.InteropServices;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>
    /// The profile <c>axme login</c> saves, read the same way by every SDK (REQ-CLIENT-008):
    /// <c>config.json</c> in <c>$AXME_CONFIG_DIR</c>, else the platform's config dir + <c>axme</c>
    /// (<c>%APPDATA%\axme</c>, <c>~/Library/Application Support/axme</c>, <c>$XDG_CONFIG_HOME/axme</c> or
    /// <c>~/.config/axme</c>). Its string members <c>base_url</c> and <c>api_key</c> are the fallbacks after
    /// the configuration and the environment.
    /// </summary>
    public sealed class Profile
    {
        /// <summary>The file name <c>axme login</c> writes in the config directory.</summary>
        public const string FileName = "config.json";

        /// <summary>The profile's base URL; null when absent.</summary>
        public string BaseUrl { get; private set; }

        /// <summary>The profile's API key; null when absent.</summary>
        public string ApiKey { get; private set; }

        /// <summary>The AXME config directory of this machine and user.</summary>
        public static string ConfigDir()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "windows"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "macos" : "unix";
            return ConfigDir(Environment.GetEnvironmentVariable, os,
                Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));
        }

        /// <summary>Where <c>axme login</c> saves the profile.</summary>
        public static string Path()
        {
            return System.IO.Path.Combine(ConfigDir(), FileName);
        }

        internal static string ConfigDir(Func<string, string> env, string os, string home)
        {
            string overrideDir = NonBlank(env("AXME_CONFIG_DIR"));
            if (overrideDir != null)
            {
                return overrideDir == "~" || overrideDir.StartsWith("~/", StringComparison.Ordinal)
                    ? home + overrideDir.Substring(1) : overrideDir;
            }
            if (os == "windows")
            {
                string appData = NonBlank(env("APPDATA"));
                return System.IO.Path.Combine(appData ?? System.IO.Path.Combine(home, "AppData", "Roaming"), "axme");
            }
            if (os == "macos") return System.IO.Path.Combine(home, "Library", "Application Support", "axme");
            string xdg = NonBlank(env("XDG_CONFIG_HOME"));
            return System.IO.Path.Combine(xdg ?? System.IO.Path.Combine(home, ".config"), "axme");
        }

        /// <summary>The profile in <paramref name="file"/>; empty without a file; an <see cref="AxmeException"/>
        /// naming the file when it exists but cannot be used.</summary>
        internal static Profile Read(string file)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (FileNotFoundException) { return new Profile(); }
            catch (DirectoryNotFoundException) { return new Profile(); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new AxmeException("cannot read the AXME profile " + file + ": " + e.Message, e);
            }
            JObject data;
            try
            {
                data = JToken.Parse(text) as JObject;
            }
            catch (JsonException e)
            {
                throw new AxmeException("the AXME profile " + file + " is not valid JSON: " + e.Message, e);
            }
            if (data == null) throw new AxmeException("the AXME profile " + file + " must contain a JSON object");
            return new Profile { BaseUrl = Member(data, "base_url", file), ApiKey = Member(data, "api_key", file) };
        }

        private static string Member(JObject data, string name, string file)
        {
            JToken value = data[name];
            if (value == null || value.Type == JTokenType.Null) return null;
            if (value.Type != JTokenType.String) throw new AxmeException("the AXME profile " + file + ": " + name + " must be a string");
            return NonBlank((string)value);
        }

        private static string NonBlank(string value)
        {
            return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        }
    }
}
