package axme

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type pushVectors struct {
	Signatures []struct {
		Name      string `json:"name"`
		Secret    string `json:"secret"`
		Timestamp int64  `json:"timestamp"`
		Body      string `json:"body"`
		Signature string `json:"signature"`
	} `json:"signatures"`
	Verifications []struct {
		Name       string            `json:"name"`
		Secrets    []string          `json:"secrets"`
		Now        int64             `json:"now"`
		ToleranceS int64             `json:"tolerance_s"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
		Seen       []string          `json:"seen"`
		Expect     struct {
			OK         bool   `json:"ok"`
			Reason     string `json:"reason"`
			DeliveryID string `json:"delivery_id"`
			IntentID   string `json:"intent_id"`
			Attempt    *int   `json:"attempt"`
		} `json:"expect"`
	} `json:"verifications"`
}

func loadPushVectors(t *testing.T) pushVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "conformance", "vectors", "push-signature.json"))
	if err != nil {
		t.Fatalf("reading shared push vectors: %v", err)
	}
	var v pushVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Signatures) == 0 || len(v.Verifications) < 20 {
		t.Fatalf("push vectors look truncated: %d/%d", len(v.Signatures), len(v.Verifications))
	}
	return v
}

func TestPushSignatureVectors(t *testing.T) {
	for _, v := range loadPushVectors(t).Signatures {
		got := SignDelivery([]byte(v.Body), v.Secret, v.Timestamp)
		if want := "t=" + itoa(v.Timestamp) + ",v1=" + v.Signature; got != want {
			t.Errorf("%s: got %s want %s", v.Name, got, want)
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestPushVerificationVectors(t *testing.T) {
	for _, v := range loadPushVectors(t).Verifications {
		t.Run(v.Name, func(t *testing.T) {
			header := http.Header{}
			for k, val := range v.Headers {
				header.Set(k, val)
			}
			seen := NewMemorySeenDeliveries(0, nil)
			for _, id := range v.Seen {
				seen.Add(id)
			}
			verifier := PushVerifier{
				Secrets: v.Secrets, Tolerance: time.Duration(v.ToleranceS) * time.Second, Seen: seen,
				Now: func() time.Time { return time.Unix(v.Now, 0) },
			}
			d, err := verifier.Verify([]byte(v.Body), header)
			if v.Expect.OK {
				if err != nil {
					t.Fatalf("want ok, got %v", err)
				}
				if d.DeliveryID != v.Expect.DeliveryID || d.IntentID != v.Expect.IntentID {
					t.Fatalf("got %+v", d)
				}
				if v.Expect.Attempt != nil && d.Attempt != *v.Expect.Attempt {
					t.Fatalf("attempt %d", d.Attempt)
				}
				return
			}
			var se *SignatureError
			if !errors.As(err, &se) || se.Reason != v.Expect.Reason || !errors.Is(err, ErrSignature) {
				t.Fatalf("want reason %s, got %v", v.Expect.Reason, err)
			}
		})
	}
}

const testSecret = "whsec_test_0123456789abcdef"

var testBody = []byte(`{"delivery_id":"dlv_a","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}`)

func signedHeader(body []byte, secret string, t int64) http.Header {
	h := http.Header{}
	h.Set("X-Axme-Signature", SignDelivery(body, secret, t))
	h.Set("X-Axme-Delivery-Id", "dlv_a")
	return h
}

func TestPushReplayRefusedEvenWithFreshTimestamp(t *testing.T) {
	now := time.Now()
	v := PushVerifier{Secrets: []string{testSecret}, Seen: NewMemorySeenDeliveries(0, nil)}
	if _, err := v.Verify(testBody, signedHeader(testBody, testSecret, now.Unix())); err != nil {
		t.Fatal(err)
	}
	_, err := v.Verify(testBody, signedHeader(testBody, testSecret, now.Unix()+3))
	var se *SignatureError
	if !errors.As(err, &se) || se.Reason != "replayed_delivery" {
		t.Fatalf("replay: %v", err)
	}
}

func TestPushRejectedPushDoesNotConsumeTheID(t *testing.T) {
	v := PushVerifier{Secrets: []string{testSecret}, Seen: NewMemorySeenDeliveries(0, nil)}
	now := time.Now().Unix()
	if _, err := v.Verify(testBody, signedHeader(testBody, "whsec_wrong", now)); !errors.Is(err, ErrSignature) {
		t.Fatal(err)
	}
	if _, err := v.Verify(testBody, signedHeader(testBody, testSecret, now)); err != nil {
		t.Fatal(err)
	}
}

func TestMemorySeenDeliveriesExpireAfterTheWindow(t *testing.T) {
	clock := time.Unix(0, 0)
	seen := NewMemorySeenDeliveries(0, func() time.Time { return clock })
	if !seen.Add("dlv_a") {
		t.Fatal("first add")
	}
	clock = clock.Add(PushReplayWindow - time.Second)
	if seen.Add("dlv_a") {
		t.Fatal("within the window")
	}
	clock = clock.Add(time.Second)
	if !seen.Add("dlv_a") || seen.Len() != 1 {
		t.Fatalf("after the window: len %d", seen.Len())
	}
}

func TestPushTolerance(t *testing.T) {
	base := int64(1_795_255_200)
	cases := []struct {
		offset    int64
		tolerance time.Duration
		ok        bool
	}{{0, 0, true}, {300, 0, true}, {-300, 0, true}, {301, 0, false}, {10, 10 * time.Second, true}, {11, 10 * time.Second, false}}
	for _, c := range cases {
		v := PushVerifier{Secrets: []string{testSecret}, Tolerance: c.tolerance, Seen: NewMemorySeenDeliveries(0, nil),
			Now: func() time.Time { return time.Unix(base+c.offset, 0) }}
		_, err := v.Verify(testBody, signedHeader(testBody, testSecret, base))
		if (err == nil) != c.ok {
			t.Errorf("offset %d tolerance %s: %v", c.offset, c.tolerance, err)
		}
	}
}

func TestPushRotatedSecrets(t *testing.T) {
	now := time.Now().Unix()
	both := SignDelivery(testBody, "whsec_old", now) + ",v1=" + strings.Split(SignDelivery(testBody, "whsec_new", now), "v1=")[1]
	for _, secrets := range [][]string{{"whsec_old"}, {"whsec_new"}, {"whsec_new", "whsec_old"}} {
		h := signedHeader(testBody, "unused", now)
		h.Set("X-Axme-Signature", both)
		if _, err := (PushVerifier{Secrets: secrets, Seen: NewMemorySeenDeliveries(0, nil)}).Verify(testBody, h); err != nil {
			t.Errorf("%v: %v", secrets, err)
		}
	}
}

func TestVerifyDeliveryUsesTheProcessWideSeenSet(t *testing.T) {
	body := []byte(`{"delivery_id":"dlv_process","intent_id":"i"}`)
	h := http.Header{}
	h.Set("X-Axme-Signature", SignDelivery(body, testSecret, time.Now().Unix()))
	h.Set("X-Axme-Delivery-Id", "dlv_process")
	if _, err := VerifyDelivery(body, h, testSecret); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyDelivery(body, h, testSecret); !errors.Is(err, ErrSignature) {
		t.Fatalf("second: %v", err)
	}
}

func TestPushReceiverAnswersWithoutTheServer(t *testing.T) {
	c, err := NewClient(ClientConfig{APIKey: "axme_admin_unit", BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	never := func(context.Context, *Delivery) (map[string]any, error) {
		t.Error("the handler must not run")
		return nil, nil
	}
	receiver := NewPushReceiver(c, never, PushVerifier{Secrets: []string{testSecret}})
	answer := func(method string, body []byte, header http.Header) (int, string) {
		req := httptest.NewRequest(method, "/", bytes.NewReader(body))
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		receiver.ServeHTTP(rec, req)
		var out map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out["error"]
	}
	cases := []struct {
		name   string
		method string
		body   []byte
		header http.Header
		status int
		reason string
	}{
		{"get", http.MethodGet, nil, nil, 405, "method_not_allowed"},
		{"too large", http.MethodPost, bytes.Repeat([]byte("x"), maxPushBody+1), nil, 413, "body_too_large"},
		{"unsigned", http.MethodPost, testBody, nil, 401, "missing_signature"},
		{"wrong secret", http.MethodPost, testBody, signedHeader(testBody, "whsec_other", time.Now().Unix()), 401, "signature_mismatch"},
		{"stale", http.MethodPost, testBody, signedHeader(testBody, testSecret, time.Now().Unix()-301), 401, "stale_timestamp"},
	}
	for _, tc := range cases {
		if status, reason := answer(tc.method, tc.body, tc.header); status != tc.status || reason != tc.reason {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, reason, tc.status, tc.reason)
		}
	}
	if err := receiver.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if status, reason := answer(http.MethodPost, testBody, signedHeader(testBody, testSecret, time.Now().Unix())); status != 503 || reason != "shutting_down" {
		t.Errorf("after Shutdown: %d %s", status, reason)
	}
}
