package integrations

import "testing"

// TestDecodeAnyKeepsBigIntegers: a response id beyond 2^53 reaches a step's
// output exactly, so the next step sends the id it received.
func TestDecodeAnyKeepsBigIntegers(t *testing.T) {
	out, err := DecodeAny([]byte(`{"id":820982911946154508,"price":1.5,"list":[1,"x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := out.(map[string]any)
	if m["id"] != int64(820982911946154508) || m["price"] != 1.5 || m["list"].([]any)[0] != int64(1) {
		t.Fatalf("decoded %#v", m)
	}
	if _, err := DecodeAny([]byte(`{} {}`)); err == nil {
		t.Fatal("two documents decoded")
	}
}
