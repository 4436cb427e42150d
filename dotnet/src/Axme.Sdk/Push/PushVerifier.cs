using System;
using System.Collections.Generic;
using System.Text;
using Axme.Sdk.Models;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>
    /// Verifies pushed deliveries (REQ-PUSH-005): constant-time compare, any <c>v1=</c> may match any
    /// secret, a timestamp window, and a delivery id already accepted is refused.
    /// </summary>
    public sealed class PushVerifier
    {
        private readonly string[] _secrets;

        /// <param name="secrets">the signing secret (several during a rotation)</param>
        public PushVerifier(params string[] secrets)
        {
            if (secrets == null || secrets.Length == 0) throw new ArgumentException("a push verifier needs at least one secret", "secrets");
            _secrets = (string[])secrets.Clone();
            Tolerance = Push.DefaultTolerance;
            Seen = Push.ProcessSeen;
            Now = () => DateTimeOffset.UtcNow;
        }

        /// <summary>How far <c>t</c> may be from now (default 300 s).</summary>
        public TimeSpan Tolerance { get; set; }

        /// <summary>Where accepted ids are remembered (default: this process's memory).</summary>
        public IPushSeenDeliveries Seen { get; set; }

        /// <summary>What "now" is.</summary>
        public Func<DateTimeOffset> Now { get; set; }

        /// <summary>Returns the delivery, or throws <see cref="SignatureException"/> (answer 401).</summary>
        /// <param name="rawBody">the exact bytes received</param>
        /// <param name="header">looks a header up by name, case-insensitively (null when absent)</param>
        public Delivery Verify(byte[] rawBody, Func<string, string> header)
        {
            var given = new List<string>();
            long timestamp = Push.ParseSignatureHeader(header("X-Axme-Signature"), given);
            long skew = Math.Abs(Now().ToUnixTimeSeconds() - timestamp);
            if (skew > (long)Tolerance.TotalSeconds)
            {
                throw new SignatureException("stale_timestamp", "timestamp " + timestamp + " is outside ±" + Tolerance.TotalSeconds + " s");
            }
            bool matched = false;
            foreach (string secret in _secrets)
            {
                string expected = Push.Signature(secret, timestamp, rawBody);
                foreach (string g in given) matched |= Push.ConstantTimeEquals(expected, g);
            }
            if (!matched) throw new SignatureException("signature_mismatch", "no v1 signature matches the secret");
            string deliveryId = header("X-Axme-Delivery-Id");
            if (string.IsNullOrEmpty(deliveryId)) throw new SignatureException("missing_delivery_id", "no X-Axme-Delivery-Id header");
            JObject body = ParseDelivery(rawBody);
            if ((string)body["delivery_id"] != deliveryId)
            {
                throw new SignatureException("delivery_id_mismatch", "X-Axme-Delivery-Id differs from the body");
            }
            if (!Seen.Add(deliveryId)) throw new SignatureException("replayed_delivery", "delivery " + deliveryId + " was already accepted");
            return AxmeModel.FromJson<Delivery>(body);
        }

        private static JObject ParseDelivery(byte[] rawBody)
        {
            JObject body = null;
            try
            {
                body = AxmeJson.Parse(new UTF8Encoding(false, true).GetString(rawBody)) as JObject;
            }
            catch (Exception e) when (e is JsonException || e is ArgumentException)
            {
                body = null;
            }
            if (body == null || body["delivery_id"] == null || body["delivery_id"].Type != JTokenType.String
                || body["intent_id"] == null || body["intent_id"].Type != JTokenType.String)
            {
                throw new SignatureException("malformed_body", "the signed body is not a Delivery");
            }
            return body;
        }
    }
}
