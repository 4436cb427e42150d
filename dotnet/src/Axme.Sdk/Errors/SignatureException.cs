namespace Axme.Sdk
{
    /// <summary>
    /// A pushed delivery failed verification (REQ-PUSH-005); a receiver answers 401. <see cref="Reason"/>
    /// is one of missing_signature, malformed_signature, stale_timestamp, signature_mismatch,
    /// missing_delivery_id, malformed_body, delivery_id_mismatch, replayed_delivery (the same codes in every SDK).
    /// </summary>
    public class SignatureException : AxmeException
    {
        public SignatureException(string reason, string message) : base(message)
        {
            Reason = reason;
        }

        /// <summary>The rejection code, the same in every SDK.</summary>
        public string Reason { get; private set; }
    }
}
