using System;
using System.IO;

namespace Axme.Sdk.Tests.Support
{
    /// <summary>Paths in the repository (AXME_REPO_ROOT, else found by walking up from the test assembly).</summary>
    public static class Repo
    {
        public static string Root
        {
            get
            {
                string fromEnv = Environment.GetEnvironmentVariable("AXME_REPO_ROOT");
                if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
                string dir = AppDomain.CurrentDomain.BaseDirectory;
                for (int i = 0; i < 8 && dir != null; i++)
                {
                    if (File.Exists(Path.Combine(dir, "conformance", "vectors", "sse.json"))) return dir;
                    dir = Path.GetDirectoryName(dir.TrimEnd(Path.DirectorySeparatorChar));
                }
                throw new InvalidOperationException("cannot find the repository root; set AXME_REPO_ROOT");
            }
        }

        public static string PathOf(params string[] parts)
        {
            string p = Root;
            foreach (string part in parts) p = Path.Combine(p, part);
            return p;
        }
    }
}
