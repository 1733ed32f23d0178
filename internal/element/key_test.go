package element

import (
	"testing"

	"example.org/bst/internal/cachekey"
)

func TestEmptyDictKey(t *testing.T) {
	if got := cachekey.Generate(map[string]any{}).String(); got != emptyDictKey {
		t.Fatalf("generate_key({}) = %s, emptyDictKey is %s", got, emptyDictKey)
	}
}
