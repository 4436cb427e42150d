// Package axme is the Go SDK for AXME, durable execution with human approval
// built in. It speaks AXP v1: submit intents, observe their lifecycle as a
// stream of events, wait for a terminal status, serve deliveries as an agent
// and decide human tasks.
//
// Every call takes a context.Context first; errors match the package
// sentinels through errors.Is (for example errors.Is(err, axme.ErrNotFound))
// and non-2xx responses are *APIError.
package axme

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// ClientConfig configures a Client. The zero value of every field means "use
// the default"; NewClient validates the result.
type ClientConfig struct {
	// APIKey is sent as x-api-key. Default: $AXME_API_KEY, else the profile
	// `axme login` saved (ProfilePath).
	APIKey string
	// BaseURL of the AXP server. Default: $AXME_BASE_URL, else the profile
	// `axme login` saved (ProfilePath), else the public API.
	BaseURL string
	// Timeout bounds each HTTP attempt (not streams, which use
	// StreamIdleTimeout). Default 30 s.
	Timeout time.Duration
	// MaxRetries is how many times a failed request is retried (connection
	// errors, 408, 429, 500, 502-504). Nil means the default, 2; use Ptr(0) to disable.
	MaxRetries *int
	// RetryBaseDelay is the first backoff delay, doubled per retry and capped
	// at 8 s. Default 500 ms.
	RetryBaseDelay time.Duration
	// StreamIdleTimeout reconnects a stream that sent no bytes (not even a
	// keepalive) for this long. Default 45 s.
	StreamIdleTimeout time.Duration
	// HTTPClient sends the requests. Default: a new http.Client. Leave its
	// Timeout at zero: it would cut long-lived streams.
	HTTPClient *http.Client
	// Logger receives debug logs of each attempt (never the API key).
	// Default: discard.
	Logger *slog.Logger
}

// Client is an AXP client. It is safe for concurrent use.
type Client struct {
	apiKey         string
	baseURL        string
	timeout        time.Duration
	maxRetries     int
	retryBase      time.Duration
	streamIdle     time.Duration
	httpClient     *http.Client
	logger         *slog.Logger
	now            func() time.Time
	pollInterval   time.Duration
	reconnectFloor time.Duration
}

// Ptr returns a pointer to v, for optional config fields such as MaxRetries.
func Ptr[T any](v T) *T { return &v }

// NewClient validates cfg, fills in defaults and returns a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	c := &Client{
		apiKey:         strings.TrimSpace(cfg.APIKey),
		baseURL:        strings.TrimSpace(cfg.BaseURL),
		timeout:        cfg.Timeout,
		maxRetries:     defaultMaxRetries,
		retryBase:      cfg.RetryBaseDelay,
		streamIdle:     cfg.StreamIdleTimeout,
		httpClient:     cfg.HTTPClient,
		logger:         cfg.Logger,
		now:            time.Now,
		pollInterval:   time.Second,
		reconnectFloor: 100 * time.Millisecond,
	}
	// Each member: given, else the environment, else the profile `axme login`
	// saved (read only when needed), else the default (REQ-CLIENT-001, -008).
	if c.apiKey == "" {
		c.apiKey = strings.TrimSpace(os.Getenv("AXME_API_KEY"))
	}
	if c.baseURL == "" {
		c.baseURL = strings.TrimSpace(os.Getenv("AXME_BASE_URL"))
	}
	if c.apiKey == "" || c.baseURL == "" {
		p, err := readProfile(ProfilePath())
		if err != nil {
			return nil, err
		}
		if c.apiKey == "" {
			c.apiKey = p.APIKey
		}
		if c.baseURL == "" {
			c.baseURL = p.BaseURL
		}
	}
	if c.apiKey == "" {
		return nil, fmt.Errorf("axme: an API key is required (ClientConfig.APIKey, AXME_API_KEY or `axme login`, profile %s)", ProfilePath())
	}
	if c.baseURL == "" {
		c.baseURL = defaultBaseURL
	}
	u, err := url.Parse(c.baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("axme: invalid BaseURL %q: want http(s)://host[:port][/prefix]", c.baseURL)
	}
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	if cfg.MaxRetries != nil {
		if *cfg.MaxRetries < 0 {
			return nil, fmt.Errorf("axme: MaxRetries must not be negative, got %d", *cfg.MaxRetries)
		}
		c.maxRetries = *cfg.MaxRetries
	}
	for name, d := range map[string]time.Duration{"Timeout": c.timeout, "RetryBaseDelay": c.retryBase, "StreamIdleTimeout": c.streamIdle} {
		if d < 0 {
			return nil, fmt.Errorf("axme: %s must not be negative, got %s", name, d)
		}
	}
	if c.timeout == 0 {
		c.timeout = defaultTimeout
	}
	if c.retryBase == 0 {
		c.retryBase = defaultRetryBase
	}
	if c.streamIdle == 0 {
		c.streamIdle = defaultStreamIdle
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	// Reconnects and polls scale with the retry base so tests that shorten
	// retries also shorten stream recovery.
	c.pollInterval = min(time.Second, 2*c.retryBase)
	c.reconnectFloor = min(100*time.Millisecond, c.retryBase)
	return c, nil
}

// BaseURL returns the server URL this client talks to.
func (c *Client) BaseURL() string { return c.baseURL }
