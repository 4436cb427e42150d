package axme

// Version is the SDK version sent in the User-Agent and X-Axme-Client headers.
const Version = "0.1.0"

// userAgent identifies this SDK on the wire (SDK-CONVENTIONS "Headers").
const userAgent = "axme-go/" + Version
