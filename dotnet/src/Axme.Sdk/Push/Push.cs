using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Axme.Sdk.Models;

namespace Axme.Sdk
{
    /// <summary>
    /// The HTTP-push binding's signature (REQ-PUSH-004/005). <see cref="VerifyDelivery(byte[], Func{string, string}, string[])"/>
    /// is framework-neutral: the raw body and a header lookup (ASP.NET: <c>name =&gt; Request.Headers[name]</c>).
    /// </summary>
    public static class Push
    {
        /// <summary>REQ-PUSH-005: a timestamp further than this from now is refused.</summary>
        public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

        /// <summary>REQ-PUSH-005: an id accepted within this window is refused.</summary>
        public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(10);

        internal static readonly IPushSeenDeliveries ProcessSeen = new InMemoryPushSeenDeliveries();

        /// <summary>Verifies a push with the default tolerance and this process's memory of accepted ids; throws <see cref="SignatureException"/>.</summary>
        public static Delivery VerifyDelivery(byte[] rawBody, Func<string, string> header, params string[] secrets)
        {
            return new PushVerifier(secrets).Verify(rawBody, header);
        }

        /// <summary>As above, with the headers of an <c>HttpListenerRequest</c> or <c>WebHeaderCollection</c>.</summary>
        public static Delivery VerifyDelivery(byte[] rawBody, NameValueCollection headers, params string[] secrets)
        {
            return new PushVerifier(secrets).Verify(rawBody, headers.Get);
        }

        /// <summary>The <c>X-Axme-Signature</c> value for <paramref name="body"/> (e.g. to test a receiver).</summary>
        public static string SignDelivery(byte[] body, string secret, long timestamp)
        {
            return "t=" + timestamp.ToString(CultureInfo.InvariantCulture) + ",v1=" + Signature(secret, timestamp, body);
        }

        internal static string Signature(string secret, long timestamp, byte[] body)
        {
            using (var mac = new HMACSHA256(Encoding.UTF8.GetBytes(secret)))
            {
                byte[] prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
                mac.TransformBlock(prefix, 0, prefix.Length, null, 0);
                mac.TransformFinalBlock(body, 0, body.Length);
                var hex = new StringBuilder(64);
                foreach (byte b in mac.Hash) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                return hex.ToString();
            }
        }

        /// <summary>Parses <c>t=…,v1=…[,v1=…]</c>; unknown entries are ignored.</summary>
        internal static long ParseSignatureHeader(string value, List<string> signatures)
        {
            if (string.IsNullOrEmpty(value)) throw new SignatureException("missing_signature", "no X-Axme-Signature header");
            long timestamp = -1;
            foreach (string entry in value.Split(','))
            {
                string trimmed = entry.Trim();
                int eq = trimmed.IndexOf('=');
                string key = eq < 0 ? trimmed : trimmed.Substring(0, eq);
                string item = eq < 0 ? "" : trimmed.Substring(eq + 1);
                if (key == "t")
                {
                    if (!IsDigits(item) || !long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp))
                    {
                        throw new SignatureException("malformed_signature", "the t entry is not unix seconds");
                    }
                }
                else if (key == "v1")
                {
                    signatures.Add(item);
                }
            }
            if (timestamp < 0 || signatures.Count == 0)
            {
                throw new SignatureException("malformed_signature", "X-Axme-Signature needs t= and v1=");
            }
            return timestamp;
        }

        private static bool IsDigits(string s)
        {
            if (s.Length == 0) return false;
            foreach (char c in s) if (c < '0' || c > '9') return false;
            return true;
        }

        /// <summary>Compares without stopping at the first difference (REQ-PUSH-005).</summary>
        internal static bool ConstantTimeEquals(string a, string b)
        {
            if (a.Length != b.Length) return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++) diff |= a[i] ^ b[i];
            return diff == 0;
        }
    }
}
