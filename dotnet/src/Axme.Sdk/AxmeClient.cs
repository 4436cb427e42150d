using System;
using Axme.Sdk.Http;

namespace Axme.Sdk
{
    public partial class AxmeClient : IDisposable
    {
        internal HttpPipeline Pipeline;
        public AxmeClient(AxmeClientConfig config) { Pipeline = new HttpPipeline(ClientSettings.Resolve(config), config == null ? null : config.HttpMessageHandler); }
        public void Dispose() { Pipeline.Dispose(); }
    }
}
