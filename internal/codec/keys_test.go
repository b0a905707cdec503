package codec

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	a, b := newKey(t, "2025-06"), newKey(t, "2024_12.old")
	keys, err := ParseKeys(" " + keyString(a) + " , " + b.ID + ":" + base64.RawURLEncoding.EncodeToString(b.Secret) + " ")
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].ID != a.ID || keys[1].ID != b.ID {
		t.Fatalf("ParseKeys ids = %+v", keys)
	}
	if !bytes.Equal(keys[0].Secret, a.Secret) || !bytes.Equal(keys[1].Secret, b.Secret) {
		t.Error("secrets were not decoded")
	}
	if _, err := New(keys); err != nil {
		t.Errorf("New(ParseKeys(...)): %v", err)
	}
}

func TestParseKeysErrors(t *testing.T) {
	// Distinctive key material: no error may contain any of it.
	short := base64.StdEncoding.EncodeToString([]byte("SEKRIT-SIXTEEN!!"))
	long := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("SEKRIT"), 8))
	good := keyString(newKey(t, "k1"))
	goodKey := strings.TrimPrefix(good, "k1:")
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "empty"},
		{"blank", "  ", "empty"},
		{"bad base64", "k1:SEKRIT!!not*base64$$", "not valid base64"},
		{"wrong length short", "k1:" + short, "16 bytes, want 32"},
		{"wrong length long", "k1:" + long, "48 bytes, want 32"},
		{"duplicate id", good + ",k1:" + strings.TrimPrefix(keyString(newKey(t, "k1")), "k1:"), `"k1" is used by entries 1 and 2`},
		{"no colon", goodKey, "no ':'"},
		{"empty id", ":" + goodKey, "id is empty"},
		{"empty key", "k1:", "key is empty"},
		{"trailing comma", good + ",", "entry 2 is empty"},
		{"reversed", goodKey + ":k1", "looks like a key"},
		{"bad id character", "SEKRIT/id:" + goodKey, "character other than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys(tt.in)
			if err == nil {
				t.Fatalf("ParseKeys succeeded: %d keys", len(keys))
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			for _, secret := range []string{"SEKRIT", short, long, goodKey, goodKey[:8]} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q leaks key material %q", msg, secret)
				}
			}
		})
	}
}

func FuzzParseKeys(f *testing.F) {
	f.Add(keyString(Key{ID: "k1", Secret: bytes.Repeat([]byte{1}, KeySize)}))
	f.Add("a:b,c:d")
	f.Add(",,:")
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseKeys(s)
		if err != nil {
			return
		}
		if _, err := New(keys); err != nil {
			t.Fatalf("ParseKeys accepted a ring New rejects: %v", err)
		}
	})
}
