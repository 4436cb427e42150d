using System;
using System.Collections.Generic;
using System.Globalization;
using Newtonsoft.Json.Linq;

namespace Axme.Sdk.Models
{
    /// <summary>
    /// Base of every generated model: a typed view over the wire JSON object. Properties read
    /// and write the underlying <see cref="JObject"/>, so unknown fields survive and
    /// <see cref="ToJson"/> returns exactly what the server sent (plus any edits).
    /// </summary>
    public abstract class AxmeModel
    {
        private JObject _json = new JObject();

        /// <summary>The underlying wire object (live, not a copy).</summary>
        public JObject ToJson()
        {
            return _json;
        }

        /// <summary>Wraps <paramref name="json"/> (not copied) in a model of type <typeparamref name="T"/>.</summary>
        public static T FromJson<T>(JObject json) where T : AxmeModel, new()
        {
            var model = new T();
            model._json = json ?? new JObject();
            return model;
        }

        /// <summary>Compact JSON of the underlying object.</summary>
        public override string ToString()
        {
            return AxmeJson.Serialize(_json);
        }

        protected JToken GetToken(string name)
        {
            JToken t = _json[name];
            return t == null || t.Type == JTokenType.Null ? null : t;
        }

        protected void SetToken(string name, JToken value)
        {
            if (value == null) _json.Remove(name);
            else _json[name] = value;
        }

        protected string GetString(string name)
        {
            JToken t = GetToken(name);
            if (t == null) return null;
            return t.Type == JTokenType.String ? t.Value<string>() : AxmeJson.Serialize(t);
        }

        protected void SetString(string name, string value)
        {
            SetToken(name, value == null ? null : new JValue(value));
        }

        protected long? GetInt64(string name)
        {
            JToken t = GetToken(name);
            if (t == null) return null;
            if (t.Type == JTokenType.Integer || t.Type == JTokenType.Float) return t.Value<long>();
            long parsed;
            return long.TryParse(t.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out parsed) ? parsed : (long?)null;
        }

        protected void SetInt64(string name, long? value)
        {
            SetToken(name, value.HasValue ? new JValue(value.Value) : null);
        }

        protected double? GetDouble(string name)
        {
            JToken t = GetToken(name);
            if (t == null || (t.Type != JTokenType.Integer && t.Type != JTokenType.Float)) return null;
            return t.Value<double>();
        }

        protected void SetDouble(string name, double? value)
        {
            SetToken(name, value.HasValue ? new JValue(value.Value) : null);
        }

        protected bool? GetBoolean(string name)
        {
            JToken t = GetToken(name);
            if (t == null || t.Type != JTokenType.Boolean) return null;
            return t.Value<bool>();
        }

        protected void SetBoolean(string name, bool? value)
        {
            SetToken(name, value.HasValue ? new JValue(value.Value) : null);
        }

        /// <summary>RFC 3339 timestamp; null when absent or unparsable (the raw string stays in the JSON).</summary>
        protected DateTimeOffset? GetDateTime(string name)
        {
            string s = GetString(name);
            DateTimeOffset parsed;
            if (s != null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out parsed))
            {
                return parsed;
            }
            return null;
        }

        /// <summary>Writes the AXP wire form: UTC, milliseconds, <c>Z</c>.</summary>
        protected void SetDateTime(string name, DateTimeOffset? value)
        {
            SetString(name, value.HasValue ? FormatTimestamp(value.Value) : null);
        }

        public static string FormatTimestamp(DateTimeOffset value)
        {
            return value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        protected JObject GetObject(string name)
        {
            return GetToken(name) as JObject;
        }

        protected T GetModel<T>(string name) where T : AxmeModel, new()
        {
            JObject o = GetObject(name);
            return o == null ? null : FromJson<T>(o);
        }

        protected void SetModel(string name, AxmeModel value)
        {
            SetToken(name, value == null ? null : value._json);
        }

        protected IReadOnlyList<T> GetModelList<T>(string name) where T : AxmeModel, new()
        {
            var array = GetToken(name) as JArray;
            if (array == null) return null;
            var list = new List<T>(array.Count);
            foreach (JToken item in array)
            {
                var o = item as JObject;
                if (o != null) list.Add(FromJson<T>(o));
            }
            return list;
        }

        protected void SetModelList<T>(string name, IEnumerable<T> values) where T : AxmeModel
        {
            if (values == null) { SetToken(name, null); return; }
            var array = new JArray();
            foreach (T v in values) array.Add(v == null ? JValue.CreateNull() : (JToken)v._json);
            SetToken(name, array);
        }

        protected IReadOnlyList<string> GetStringList(string name)
        {
            var array = GetToken(name) as JArray;
            if (array == null) return null;
            var list = new List<string>(array.Count);
            foreach (JToken item in array) list.Add(item.Type == JTokenType.Null ? null : item.ToString());
            return list;
        }

        protected void SetStringList(string name, IEnumerable<string> values)
        {
            SetToken(name, values == null ? null : new JArray(values));
        }
    }
}
