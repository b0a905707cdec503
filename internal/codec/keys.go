package codec

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// Key is one entry of the key ring. ID is stored in each payload's metadata in
// clear, so it names the key without revealing it; Secret is the AES-256 key.
type Key struct {
	ID     string
	Secret []byte
}

// keyFormat is the shape ParseKeys reads, quoted in its errors.
const keyFormat = `"id:base64key[,id:base64key...]" (generate a key with: openssl rand -base64 32)`

// ParseKeys reads a key ring written as "id1:base64key,id2:base64key", the form
// of an environment variable such as HOOKFLOW_CODEC_KEYS. The first key
// encrypts; all of them decrypt. Errors name the entry and its id, never the
// key material.
func ParseKeys(s string) ([]Key, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("codec keys are empty; want %s", keyFormat)
	}
	entries := strings.Split(s, ",")
	keys := make([]Key, 0, len(entries))
	for i, entry := range entries {
		n := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("codec keys: entry %d is empty; remove the extra comma", n)
		}
		id, encoded, ok := strings.Cut(entry, ":")
		if !ok {
			// Do not quote the entry: it is probably a bare key.
			return nil, fmt.Errorf("codec keys: entry %d has no ':' between id and key; want %s", n, keyFormat)
		}
		id = strings.TrimSpace(id)
		if looksLikeKey(id) {
			// Written the wrong way round: quoting the "id" would print the key.
			return nil, fmt.Errorf("codec keys: entry %d starts with what looks like a key; write the id first, then ':', then the key", n)
		}
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("codec keys: entry %d: %w", n, err)
		}
		secret, err := decodeKey(strings.TrimSpace(encoded))
		if err != nil {
			return nil, fmt.Errorf("codec keys: entry %d (id %q): %w", n, id, err)
		}
		keys = append(keys, Key{ID: id, Secret: secret})
	}
	if err := checkRing(keys); err != nil {
		return nil, fmt.Errorf("codec keys: %w", err)
	}
	return keys, nil
}

// decodeKey accepts standard and URL-safe base64, padded or not, because key
// generators differ. Its errors never include the input.
func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("key is empty; want %d bytes in base64", KeySize)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != KeySize {
			return nil, fmt.Errorf("key is %d bytes, want %d (AES-256); generate one with: openssl rand -base64 32", len(b), KeySize)
		}
		return b, nil
	}
	return nil, errors.New("key is not valid base64; generate one with: openssl rand -base64 32")
}

// looksLikeKey reports whether s decodes to a key-sized value, so errors can
// avoid echoing it.
func looksLikeKey(s string) bool {
	b, err := decodeKey(s)
	return err == nil && len(b) == KeySize
}

// checkID keeps ids to characters that read well in metadata, logs and env vars.
func checkID(id string) error {
	if id == "" {
		return errors.New("key id is empty; put a name before the ':', e.g. 2025-01:<key>")
	}
	if len(id) > 64 {
		return fmt.Errorf("key id is %d characters, at most 64", len(id))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			// Not quoted: a malformed id may be key material pasted in the wrong place.
			return errors.New("key id has a character other than letters, digits, '-', '_' and '.'")
		}
	}
	return nil
}

// checkRing validates a ring however it was built (ParseKeys or code).
func checkRing(keys []Key) error {
	if len(keys) == 0 {
		return fmt.Errorf("no keys; want %s", keyFormat)
	}
	seen := make(map[string]int, len(keys))
	for i, k := range keys {
		if err := checkID(k.ID); err != nil {
			return fmt.Errorf("key %d: %w", i+1, err)
		}
		if len(k.Secret) != KeySize {
			return fmt.Errorf("key %q is %d bytes, want %d (AES-256)", k.ID, len(k.Secret), KeySize)
		}
		if j, dup := seen[k.ID]; dup {
			return fmt.Errorf("key id %q is used by entries %d and %d; each key needs its own id", k.ID, j, i+1)
		}
		seen[k.ID] = i + 1
	}
	return nil
}
