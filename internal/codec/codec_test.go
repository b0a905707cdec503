package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

func newKey(t testing.TB, id string) Key {
	t.Helper()
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	return Key{ID: id, Secret: secret}
}

func mustNew(t testing.TB, keys ...Key) converter.PayloadCodec {
	t.Helper()
	c, err := New(keys)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

const secretText = "alice@example.com ordered 3 widgets"

func plainPayload(t testing.TB) *commonpb.Payload {
	t.Helper()
	p, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"email": secretText})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRoundTrip(t *testing.T) {
	c := mustNew(t, newKey(t, "k1"))
	in := []*commonpb.Payload{
		plainPayload(t),
		{Metadata: map[string][]byte{"encoding": []byte("binary/null")}},
		{Metadata: map[string][]byte{"encoding": []byte("binary/plain")}, Data: []byte{0, 1, 2, 255}},
	}
	enc, err := c.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != len(in) {
		t.Fatalf("Encode returned %d payloads, want %d", len(enc), len(in))
	}
	for i, p := range enc {
		if got := string(p.Metadata[converter.MetadataEncoding]); got != Encoding {
			t.Errorf("payload %d encoding = %q, want %q", i, got, Encoding)
		}
		if got := string(p.Metadata[MetadataKeyID]); got != "k1" {
			t.Errorf("payload %d key id = %q, want k1", i, got)
		}
		if len(p.Metadata) != 2 {
			t.Errorf("payload %d metadata has %d entries, want only encoding and key id (the rest must be inside the ciphertext)", i, len(p.Metadata))
		}
	}
	dec, err := c.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !in[i].Equal(dec[i]) {
			t.Errorf("payload %d: decoded %v, want %v", i, dec[i], in[i])
		}
	}
}

func TestCiphertextIsFreshAndOpaque(t *testing.T) {
	c := mustNew(t, newKey(t, "k1"))
	p := plainPayload(t)
	a, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Encode([]*commonpb.Payload{p})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a[0].Data, b[0].Data) {
		t.Error("two encodes of the same payload are identical; the nonce must be random")
	}
	if bytes.Equal(a[0].Data[:nonceSize], b[0].Data[:nonceSize]) {
		t.Error("two encodes share a nonce")
	}
	for _, enc := range [][]*commonpb.Payload{a, b} {
		raw, _ := enc[0].Marshal()
		for _, needle := range []string{secretText, "alice", "json/plain"} {
			if bytes.Contains(raw, []byte(needle)) {
				t.Errorf("encrypted payload contains %q in clear", needle)
			}
		}
	}
	if got, want := len(a[0].Data), nonceSize+mustMarshalLen(t, p)+16; got != want {
		t.Errorf("ciphertext is %d bytes, want nonce+plaintext+tag = %d", got, want)
	}
}

func mustMarshalLen(t *testing.T, p *commonpb.Payload) int {
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func TestRotation(t *testing.T) {
	oldKey, newKey := newKey(t, "2024"), newKey(t, "2025")
	before := mustNew(t, oldKey)
	old, err := before.Encode([]*commonpb.Payload{plainPayload(t)})
	if err != nil {
		t.Fatal(err)
	}

	after := mustNew(t, newKey, oldKey)
	dec, err := after.Decode(old)
	if err != nil {
		t.Fatalf("ring with the old key second cannot read old history: %v", err)
	}
	if !dec[0].Equal(plainPayload(t)) {
		t.Errorf("decoded %v", dec[0])
	}
	fresh, err := after.Encode([]*commonpb.Payload{plainPayload(t)})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(fresh[0].Metadata[MetadataKeyID]); got != "2025" {
		t.Errorf("new encodes use key %q, want the first key 2025", got)
	}
	// The old key alone cannot read what the new key wrote.
	if _, err := before.Decode(fresh); err == nil || !strings.Contains(err.Error(), `"2025"`) {
		t.Errorf("old ring decoding new payload: err = %v, want one naming key \"2025\"", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	k1, k2 := newKey(t, "k1"), newKey(t, "k2")
	c := mustNew(t, k1, k2)
	encode := func() *commonpb.Payload {
		out, err := c.Encode([]*commonpb.Payload{plainPayload(t)})
		if err != nil {
			t.Fatal(err)
		}
		return out[0]
	}
	tests := []struct {
		name   string
		modify func(p *commonpb.Payload)
		want   string
	}{
		{"unknown key id", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("retired-2019") }, `key "retired-2019"`},
		{"missing key id", func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }, MetadataKeyID},
		{"flipped ciphertext bit", func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 }, "modified"},
		{"flipped tag bit", func(p *commonpb.Payload) { p.Data[len(p.Data)-1] ^= 0x80 }, "modified"},
		{"flipped nonce bit", func(p *commonpb.Payload) { p.Data[0] ^= 1 }, "modified"},
		{"relabelled to another key", func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("k2") }, "modified"},
		{"truncated", func(p *commonpb.Payload) { p.Data = p.Data[:10] }, "too short"},
		{"empty", func(p *commonpb.Payload) { p.Data = nil }, "too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := encode()
			tt.modify(p)
			out, err := c.Decode([]*commonpb.Payload{plainPayload(t), p})
			if err == nil {
				t.Fatalf("Decode succeeded: %v", out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "payload 1") {
				t.Errorf("error %q does not say which payload", err)
			}
		})
	}
}

func TestDecodePassesThroughUnencrypted(t *testing.T) {
	c := mustNew(t, newKey(t, "k1"))
	in := []*commonpb.Payload{
		plainPayload(t),
		{Metadata: map[string][]byte{"encoding": []byte("binary/zlib")}, Data: []byte("x")},
		{},
	}
	out, err := c.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("payload %d was changed: %v", i, out[i])
		}
	}
}

func TestNewValidatesRing(t *testing.T) {
	good := newKey(t, "k1")
	tests := []struct {
		name string
		keys []Key
		want string
	}{
		{"none", nil, "no keys"},
		{"short secret", []Key{{ID: "k1", Secret: make([]byte, 16)}}, "16 bytes, want 32"},
		{"empty id", []Key{{ID: "", Secret: good.Secret}}, "id is empty"},
		{"duplicate id", []Key{good, {ID: "k1", Secret: newKey(t, "x").Secret}}, `"k1" is used by entries 1 and 2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.keys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCodecKeepsNoReferenceToCallersKey(t *testing.T) {
	k := newKey(t, "k1")
	c := mustNew(t, k)
	enc, err := c.Encode([]*commonpb.Payload{plainPayload(t)})
	if err != nil {
		t.Fatal(err)
	}
	clear(k.Secret) // the caller may wipe its copy
	if _, err := c.Decode(enc); err != nil {
		t.Fatalf("codec depends on the caller's key slice: %v", err)
	}
}

func TestDataConverter(t *testing.T) {
	dc := DataConverter(mustNew(t, newKey(t, "k1")))
	p, err := dc.ToPayload(secretText)
	if err != nil {
		t.Fatal(err)
	}
	if string(p.Metadata[converter.MetadataEncoding]) != Encoding || bytes.Contains(p.Data, []byte("alice")) {
		t.Fatalf("ToPayload is not encrypted: %v", p)
	}
	var got string
	if err := dc.FromPayload(p, &got); err != nil {
		t.Fatal(err)
	}
	if got != secretText {
		t.Errorf("FromPayload = %q", got)
	}
	if s := dc.ToString(p); !strings.Contains(s, "alice") {
		t.Errorf("ToString = %q, want the decoded value", s)
	}
}

func TestFailureConverterEncryptsMessages(t *testing.T) {
	dc := DataConverter(mustNew(t, newKey(t, "k1")))
	fc := FailureConverter(dc)
	f := fc.ErrorToFailure(temporal.NewApplicationError("crm rejected "+secretText, "CRMError"))
	raw, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("alice")) {
		t.Fatal("failure carries the message in clear")
	}
	if enc := string(f.GetEncodedAttributes().GetMetadata()[converter.MetadataEncoding]); enc != Encoding {
		t.Errorf("encoded attributes encoding = %q, want %q", enc, Encoding)
	}
	back := fc.FailureToError(f)
	if !strings.Contains(back.Error(), secretText) {
		t.Errorf("FailureToError = %q, want the original message", back)
	}
}

func FuzzDecode(f *testing.F) {
	c := mustNew(f, Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, KeySize)})
	enc, err := c.Encode([]*commonpb.Payload{{Data: []byte("seed")}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(enc[0].Data, "k1")
	f.Add([]byte{}, "k1")
	f.Add([]byte("short"), "other")
	f.Fuzz(func(t *testing.T, data []byte, id string) {
		p := &commonpb.Payload{
			Metadata: map[string][]byte{converter.MetadataEncoding: []byte(Encoding), MetadataKeyID: []byte(id)},
			Data:     data,
		}
		out, err := c.Decode([]*commonpb.Payload{p})
		if err == nil && len(out) != 1 {
			t.Fatalf("Decode returned %d payloads without error", len(out))
		}
	})
}

// keyString is a test helper writing a ring entry.
func keyString(k Key) string { return k.ID + ":" + base64.StdEncoding.EncodeToString(k.Secret) }
