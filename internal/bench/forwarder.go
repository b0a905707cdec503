package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Forwarder is the first baseline: what a webhook relay costs with no
// durability at all. It reads the event, makes the same number of calls in
// sequence as the measured rule (each with the same body and an
// Idempotency-Key from the delivery id), and answers 202 once they are done.
// It checks no signature (a check costs microseconds, the baseline's
// calls milliseconds) and keeps nothing: a crash loses what is in flight.
type Forwarder struct {
	Receiver string // base URL of the receiver
	Calls    int
	Client   *http.Client
}

// deliveryHeaders are where providers put the delivery id, in the order
// the forwarder looks.
var deliveryHeaders = []string{"Webhook-Id", "X-Github-Delivery", "X-Shopify-Webhook-Id", "X-Request-Id"}

func (f *Forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	id := ""
	for _, h := range deliveryHeaders {
		if id = r.Header.Get(h); id != "" {
			break
		}
	}
	for i := range f.Calls {
		if err := f.call(r.Context(), i, id, body); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (f *Forwarder) call(ctx context.Context, i int, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.Receiver+"/forward/"+strconv.Itoa(i), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if id != "" {
		req.Header.Set("Idempotency-Key", id+"/"+strconv.Itoa(i))
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return fmt.Errorf("call %d: %w", i, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode > 299 {
		return fmt.Errorf("call %d: receiver answered %d", i, resp.StatusCode)
	}
	return nil
}
