package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// Metadata written on every encrypted payload. The encoding value matches
// Temporal's encryption sample, so its tooling recognises the payloads.
const (
	Encoding         = "binary/encrypted"
	MetadataKeyID    = "encryption-key-id"
	nonceSize        = 12
	additionalPrefix = "hookflow/codec/v1:"
)

// Codec is an AES-256-GCM converter.PayloadCodec. It is safe for concurrent use.
//
// An encrypted payload's data is nonce (12 random bytes) || ciphertext || tag,
// where the plaintext is the original payload marshalled as protobuf. The key
// id is authenticated too, so relabelling a payload with another id fails.
type Codec struct {
	encryptID string
	aeads     map[string]cipher.AEAD
}

var _ converter.PayloadCodec = (*Codec)(nil)

// New returns a codec over the key ring: keys[0] encrypts, every key decrypts.
func New(keys []Key) (converter.PayloadCodec, error) {
	if err := checkRing(keys); err != nil {
		return nil, fmt.Errorf("codec: %w", err)
	}
	c := &Codec{encryptID: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", k.ID, err)
		}
		// The stdlib generates a fresh random 12-byte nonce per Seal and
		// prefixes it to the output, so nonces cannot be reused by mistake.
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("codec: key %q: %w", k.ID, err)
		}
		c.aeads[k.ID] = aead
	}
	return c, nil
}

// Encode encrypts every payload with the first key of the ring.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.encryptID]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload %d: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(Encoding),
				MetadataKeyID:              []byte(c.encryptID),
			},
			Data: aead.Seal(nil, nil, plain, additionalData(c.encryptID)),
		}
	}
	return out, nil
}

// Decode decrypts payloads this codec encrypted and returns others unchanged,
// so history written before encryption was enabled stays readable.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != Encoding {
			out[i] = p
			continue
		}
		d, err := c.decode(p)
		if err != nil {
			return nil, fmt.Errorf("codec: payload %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decode(p *commonpb.Payload) (*commonpb.Payload, error) {
	id := string(p.GetMetadata()[MetadataKeyID])
	if id == "" {
		return nil, fmt.Errorf("encrypted payload has no %s metadata", MetadataKeyID)
	}
	aead, ok := c.aeads[id]
	if !ok {
		return nil, fmt.Errorf("encrypted with key %q, which is not in the key ring; add that key (after the current first key) to decrypt it", id)
	}
	if len(p.GetData()) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("encrypted payload with key %q is %d bytes, too short to be valid", id, len(p.GetData()))
	}
	plain, err := aead.Open(nil, nil, p.GetData(), additionalData(id))
	if err != nil {
		return nil, fmt.Errorf("decrypt with key %q: the data was modified or the key with this id is not the one that encrypted it", id)
	}
	var d commonpb.Payload
	if err := d.Unmarshal(plain); err != nil {
		return nil, fmt.Errorf("decrypted payload with key %q is not a payload: %w", id, err)
	}
	return &d, nil
}

// additionalData binds the ciphertext to its key id and format version.
func additionalData(keyID string) []byte {
	return []byte(additionalPrefix + keyID)
}

// DataConverter returns Temporal's default data converter with c applied to
// every payload it produces or reads.
func DataConverter(c converter.PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter returns a failure converter that moves failure messages and
// stack traces into encoded attributes, so error text that quotes customer data
// is encrypted by dc as well. History then shows "Encoded failure" until the
// Web UI decodes it through the codec endpoint.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          dc,
		EncodeCommonAttributes: true,
	})
}
