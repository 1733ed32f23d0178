package cachekey_test

import (
	"strings"
	"testing"

	"example.org/bst/internal/cachekey"
)

// sha256("{}"), BuildStream 1.6's context and project keys.
const emptyDictKey = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

func TestKeyString(t *testing.T) {
	k := cachekey.Generate(map[string]any{})
	if got := k.String(); got != emptyDictKey {
		t.Fatalf("Generate({}) = %s, want %s", got, emptyDictKey)
	}
	parsed, err := cachekey.ParseKey(emptyDictKey)
	if err != nil || parsed != k {
		t.Fatalf("ParseKey = %v, %v", parsed, err)
	}
	text, err := k.MarshalText()
	if err != nil || string(text) != emptyDictKey {
		t.Fatalf("MarshalText = %s, %v", text, err)
	}
	var back cachekey.Key
	if err := back.UnmarshalText(text); err != nil || back != k {
		t.Fatalf("UnmarshalText = %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("nope")); err == nil {
		t.Error("UnmarshalText(nope) succeeded")
	}
	if k.IsZero() || !(cachekey.Key{}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestIsKey(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{emptyDictKey, true},
		{strings.Repeat("0", 64), true},
		{strings.ToUpper(emptyDictKey), false},
		{emptyDictKey[:63], false},
		{emptyDictKey + "0", false},
		{strings.Repeat("g", 64), false},
		{"", false},
		{strings.Repeat("é", 32), false},
	}
	for _, tt := range tests {
		if got := cachekey.IsKey(tt.in); got != tt.want {
			t.Errorf("IsKey(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if _, err := cachekey.ParseKey(tt.in); (err == nil) != tt.want {
			t.Errorf("ParseKey(%q) error = %v, want ok=%v", tt.in, err, tt.want)
		}
	}
}
