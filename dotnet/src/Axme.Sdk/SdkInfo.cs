namespace Axme.Sdk
{
    /// <summary>Version and client identification sent on every request.</summary>
    public static class SdkInfo
    {
        public const string Version = "0.1.0";
        /// <summary>Value of <c>User-Agent</c> and <c>X-Axme-Client</c>.</summary>
        public const string ClientId = "axme-dotnet/" + Version;
    }
}
