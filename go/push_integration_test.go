package axme_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	axme "github.com/axme-ai/axme/go"
)

// The server pushes to a PushReceiver (REQ-PUSH-*): the handler's result completes the
// intent; the same delivery sent again, or with a tampered body, is answered 401.
func TestIntegrationPushReceiverCompletesIntent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := ctxTimeout(t, 30*time.Second)
	const secret = "whsec_go_integration_0123456789abcdef"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	mode := axme.DeliveryMode("http")
	sec := secret
	reg, err := e.admin.RegisterAgent(ctx, axme.RegisterAgentRequest{Address: "go-push", DeliveryMode: &mode, CallbackURL: &url, CallbackSecret: &sec})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan string, 4)
	receiver := axme.NewPushReceiver(e.client(reg.APIKey), func(ctx context.Context, d *axme.Delivery) (map[string]any, error) {
		served <- d.DeliveryID
		return map[string]any{"echo": d.Intent.Payload["n"]}, nil
	}, axme.PushVerifier{Secrets: []string{secret}})
	srv := &http.Server{Handler: receiver, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		_ = receiver.Shutdown(context.Background())
		_ = srv.Shutdown(context.Background())
	})

	id, err := e.admin.SendIntent(ctx, newIntent(reg.Agent.Address))
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.admin.WaitFor(ctx, id, &axme.WaitOptions{Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != axme.IntentStatusCOMPLETED || (*in.Result)["echo"] != float64(1) || len(served) != 1 {
		t.Fatalf("intent %s result %v served %d", in.Status, in.Result, len(served))
	}
	deliveryID := <-served

	body, _ := json.Marshal(map[string]any{"delivery_id": deliveryID, "intent_id": id})
	post := func(sent []byte) (int, string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(sent))
		req.Header.Set("X-Axme-Signature", axme.SignDelivery(body, secret, time.Now().Unix()))
		req.Header.Set("X-Axme-Delivery-Id", deliveryID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var answer map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&answer)
		return resp.StatusCode, answer["error"]
	}
	tampered := bytes.Replace(body, []byte(`}`), []byte(`,"attempt":`+strconv.Itoa(9)+`}`), 1)
	if status, reason := post(tampered); status != 401 || reason != "signature_mismatch" {
		t.Fatalf("tampered: %d %s", status, reason)
	}
	if status, reason := post(body); status != 401 || reason != "replayed_delivery" {
		t.Fatalf("replayed: %d %s", status, reason)
	}
}
