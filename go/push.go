package axme

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The HTTP-push binding (REQ-PUSH-*): VerifyDelivery checks a pushed delivery in any
// framework; PushReceiver is a ready http.Handler that runs the same handler path as
// Listen, so an agent switches between the stream and push bindings by configuration.

const (
	// DefaultPushTolerance is how far a push's timestamp may be from now (REQ-PUSH-005).
	DefaultPushTolerance = 300 * time.Second
	// PushReplayWindow is how long an accepted delivery id is refused (REQ-PUSH-005).
	PushReplayWindow = 10 * time.Minute
	// maxPushBody caps what a PushReceiver reads of a request (413 beyond).
	maxPushBody = 8 << 20
)

// ErrSignature matches every *SignatureError (errors.Is).
var ErrSignature = errors.New("axme: push signature rejected")

// SignatureError is a pushed delivery that failed verification; receivers answer
// 401. Reason is one of missing_signature, malformed_signature, stale_timestamp,
// signature_mismatch, missing_delivery_id, malformed_body, delivery_id_mismatch,
// replayed_delivery (the same codes in every SDK).
type SignatureError struct {
	Reason  string
	Message string
}

func (e *SignatureError) Error() string {
	return "axme: push rejected (" + e.Reason + "): " + e.Message
}

// Is makes errors.Is(err, ErrSignature) true.
func (e *SignatureError) Is(target error) bool { return target == ErrSignature }

// SeenDeliveries remembers accepted delivery ids. Add reports false when the id was
// already accepted within the replay window. Replace MemorySeenDeliveries with a
// shared store when several receiver processes sit behind one URL.
type SeenDeliveries interface {
	Add(deliveryID string) bool
}

// MemorySeenDeliveries keeps the ids accepted in the last TTL in this process's memory.
type MemorySeenDeliveries struct {
	ttl   time.Duration
	now   func() time.Time
	mu    sync.Mutex
	at    map[string]time.Time
	order []string // ids oldest first, to expire from the front
}

// NewMemorySeenDeliveries returns an empty set whose ids expire after ttl
// (PushReplayWindow when ttl <= 0); now nil means time.Now.
func NewMemorySeenDeliveries(ttl time.Duration, now func() time.Time) *MemorySeenDeliveries {
	if ttl <= 0 {
		ttl = PushReplayWindow
	}
	if now == nil {
		now = time.Now
	}
	return &MemorySeenDeliveries{ttl: ttl, now: now, at: map[string]time.Time{}}
}

// Add implements SeenDeliveries.
func (m *MemorySeenDeliveries) Add(deliveryID string) bool {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.order) > 0 && now.Sub(m.at[m.order[0]]) >= m.ttl {
		delete(m.at, m.order[0])
		m.order = m.order[1:]
	}
	if _, seen := m.at[deliveryID]; seen {
		return false
	}
	m.at[deliveryID] = now
	m.order = append(m.order, deliveryID)
	return true
}

// Len is the number of ids remembered.
func (m *MemorySeenDeliveries) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.order)
}

var processSeen = NewMemorySeenDeliveries(PushReplayWindow, nil)

// SignDelivery returns the X-Axme-Signature value for body (REQ-PUSH-004), e.g. to
// test a receiver.
func SignDelivery(body []byte, secret string, timestamp int64) string {
	return fmt.Sprintf("t=%d,v1=%s", timestamp, pushSignature(secret, timestamp, body))
}

func pushSignature(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// PushVerifier checks pushed deliveries (REQ-PUSH-005).
type PushVerifier struct {
	// Secrets: several during a rotation; any may match any v1 entry.
	Secrets []string
	// Tolerance: 0 means DefaultPushTolerance.
	Tolerance time.Duration
	// Seen: nil means this process's memory (shared by every nil-Seen verifier).
	Seen SeenDeliveries
	// Now: nil means time.Now.
	Now func() time.Time
}

// VerifyDelivery checks the raw body and headers of a push against secrets and
// returns the typed Delivery, or a *SignatureError (REQ-PUSH-005).
func VerifyDelivery(rawBody []byte, header http.Header, secrets ...string) (*Delivery, error) {
	return PushVerifier{Secrets: secrets}.Verify(rawBody, header)
}

// Verify is VerifyDelivery with this verifier's settings.
func (v PushVerifier) Verify(rawBody []byte, header http.Header) (*Delivery, error) {
	timestamp, given, err := parseSignatureHeader(header.Get("X-Axme-Signature"))
	if err != nil {
		return nil, err
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	tolerance := v.Tolerance
	if tolerance <= 0 {
		tolerance = DefaultPushTolerance
	}
	skew := now().Sub(time.Unix(timestamp, 0))
	if skew > tolerance || -skew > tolerance {
		return nil, &SignatureError{"stale_timestamp", fmt.Sprintf("timestamp %d is outside ±%s", timestamp, tolerance)}
	}
	if !anySignatureMatches(v.Secrets, timestamp, rawBody, given) {
		return nil, &SignatureError{"signature_mismatch", "no v1 signature matches the secret"}
	}
	id := header.Get("X-Axme-Delivery-Id")
	if id == "" {
		return nil, &SignatureError{"missing_delivery_id", "no X-Axme-Delivery-Id header"}
	}
	var d Delivery
	if err := json.Unmarshal(rawBody, &d); err != nil || d.DeliveryID == "" || d.IntentID == "" {
		return nil, &SignatureError{"malformed_body", "the signed body is not a Delivery"}
	}
	if d.DeliveryID != id {
		return nil, &SignatureError{"delivery_id_mismatch", "X-Axme-Delivery-Id differs from the body"}
	}
	seen := v.Seen
	if seen == nil {
		seen = processSeen
	}
	if !seen.Add(id) {
		return nil, &SignatureError{"replayed_delivery", "delivery " + id + " was already accepted"}
	}
	return &d, nil
}

func parseSignatureHeader(value string) (int64, []string, error) {
	if value == "" {
		return 0, nil, &SignatureError{"missing_signature", "no X-Axme-Signature header"}
	}
	var timestamp int64 = -1
	var signatures []string
	for _, entry := range strings.Split(value, ",") {
		key, item, _ := strings.Cut(strings.TrimSpace(entry), "=")
		switch key {
		case "t":
			t, err := strconv.ParseInt(item, 10, 64)
			if err != nil || t < 0 || strings.HasPrefix(item, "+") {
				return 0, nil, &SignatureError{"malformed_signature", "the t entry is not unix seconds"}
			}
			timestamp = t
		case "v1":
			signatures = append(signatures, item)
		}
	}
	if timestamp < 0 || len(signatures) == 0 {
		return 0, nil, &SignatureError{"malformed_signature", "X-Axme-Signature needs t= and v1="}
	}
	return timestamp, signatures, nil
}

// anySignatureMatches compares in constant time (hmac.Equal) every expected
// signature with every given one.
func anySignatureMatches(secrets []string, timestamp int64, body []byte, given []string) bool {
	matched := false
	for _, secret := range secrets {
		expected := []byte(pushSignature(secret, timestamp, body))
		for _, g := range given {
			if hmac.Equal(expected, []byte(g)) {
				matched = true
			}
		}
	}
	return matched
}

// PushReceiver is an http.Handler for the push binding: each POST is verified (401
// otherwise), acked, answered 202, and then handled in the background exactly as
// Listen handles a delivery (lease renewal, resume with the result or fail with the
// error). A delivery that is no longer ours (409 on ack) is answered 200; an ack that
// fails otherwise is answered 503 so the server redelivers (REQ-PUSH-006).
type PushReceiver struct {
	verifier PushVerifier
	l        *listener
	ctx      context.Context
	cancel   context.CancelFunc
	mu       sync.Mutex
	closing  bool
	inflight sync.WaitGroup
}

// NewPushReceiver returns a receiver running handler with c's credentials. A nil
// verifier.Seen gets a memory set of its own.
func NewPushReceiver(c *Client, handler DeliveryHandler, verifier PushVerifier) *PushReceiver {
	if verifier.Seen == nil {
		verifier.Seen = NewMemorySeenDeliveries(PushReplayWindow, nil)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &PushReceiver{
		verifier: verifier, l: &listener{c: c, handler: handler}, ctx: ctx, cancel: cancel,
	}
}

// ServeHTTP implements http.Handler.
func (p *PushReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, answer := p.answer(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(answer)
}

func (p *PushReceiver) answer(r *http.Request) (int, map[string]any) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, map[string]any{"error": "method_not_allowed"}
	}
	if p.isClosing() {
		return http.StatusServiceUnavailable, map[string]any{"error": "shutting_down"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPushBody+1))
	if err != nil {
		return http.StatusBadRequest, map[string]any{"error": "unreadable_body"}
	}
	if len(body) > maxPushBody {
		return http.StatusRequestEntityTooLarge, map[string]any{"error": "body_too_large"}
	}
	d, err := p.verifier.Verify(body, r.Header)
	var rejected *SignatureError
	if errors.As(err, &rejected) {
		p.l.c.logger.Warn("axme push: rejected", "reason", rejected.Reason, "error", rejected.Message)
		return http.StatusUnauthorized, map[string]any{"error": rejected.Reason}
	}
	if !p.startHandling() {
		return http.StatusServiceUnavailable, map[string]any{"error": "shutting_down"}
	}
	acked, err := p.l.c.AckIntent(r.Context(), d.IntentID, d.DeliveryID)
	if err != nil {
		p.inflight.Done()
		var apiErr *APIError
		if errors.Is(err, ErrConflict) && errors.As(err, &apiErr) {
			return http.StatusOK, map[string]any{"skipped": apiErr.Code} // stale or terminal
		}
		p.l.c.logger.Warn("axme push: ack failed", "delivery_id", d.DeliveryID, "error", err)
		return http.StatusServiceUnavailable, map[string]any{"error": "ack_failed"}
	}
	if acked != nil && acked.LeaseExpiresAt != "" {
		d.LeaseExpiresAt = acked.LeaseExpiresAt
	}
	go func() {
		defer p.inflight.Done()
		p.l.runAcked(context.WithValue(p.ctx, rawDeliveryKey{}, json.RawMessage(body)), d)
	}()
	return http.StatusAccepted, map[string]any{"accepted": d.DeliveryID}
}

func (p *PushReceiver) isClosing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closing
}

func (p *PushReceiver) startHandling() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closing {
		return false
	}
	p.inflight.Add(1)
	return true
}

// Shutdown refuses new pushes (503) and waits for the deliveries being handled.
// If ctx ends first, their handlers' contexts are cancelled and, as with Listen,
// those intents are left for the server to redeliver; ctx's error is returned.
func (p *PushReceiver) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.cancel()
		<-done
		return ctx.Err()
	}
}
