package axme

// Version is the SDK version sent in the User-Agent and X-Axme-Client headers.
const Version = "0.1.0"

// userAgent identifies this SDK on the wire (REQ-CLIENT-003).
const userAgent = "axme-go/" + Version
