using System.IO;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk
{
    /// <summary>
    /// JSON helpers. Dates stay strings (DateParseHandling.None) so wire values round-trip
    /// byte-for-byte; Newtonsoft's default would silently turn them into DateTime.
    /// </summary>
    public static class AxmeJson
    {
        /// <summary>Parses any JSON value; throws <see cref="JsonReaderException"/> on bad input.</summary>
        public static JToken Parse(string text)
        {
            using (var reader = new JsonTextReader(new StringReader(text)))
            {
                reader.DateParseHandling = DateParseHandling.None;
                reader.FloatParseHandling = FloatParseHandling.Double;
                JToken token = JToken.ReadFrom(reader);
                while (reader.Read())
                {
                    if (reader.TokenType != JsonToken.Comment)
                    {
                        throw new JsonReaderException("unexpected content after the JSON value");
                    }
                }
                return token;
            }
        }

        /// <summary>Parses an object, or returns null when the text is not a JSON object.</summary>
        public static JObject TryParseObject(string text)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            try
            {
                return Parse(text) as JObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>Compact one-line JSON.</summary>
        public static string Serialize(JToken token)
        {
            return token == null ? "null" : token.ToString(Formatting.None);
        }

        internal static string GetString(JObject obj, string name)
        {
            JToken t = obj == null ? null : obj[name];
            if (t == null || t.Type == JTokenType.Null) return null;
            return t.Type == JTokenType.String ? t.Value<string>() : t.ToString(Formatting.None);
        }
    }
}
