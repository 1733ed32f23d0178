package project

import (
	"reflect"
	"testing"

	"example.org/bst/internal/yamlnode"
)

func TestURLPolicies(t *testing.T) {
	aliases, err := yamlnode.Parse([]byte("upstream: https://example.org/\n"), "project.conf")
	if err != nil {
		t.Fatal(err)
	}
	p := &Project{Second: PassConfig{Aliases: aliases, DefaultMirror: "near",
		Mirrors: []Mirror{
			{Name: "far", Aliases: map[string][]string{"upstream": {"https://far.example/"}}},
			{Name: "near", Aliases: map[string][]string{"upstream": {"https://near.example/"}}},
		}}}
	for policy, want := range map[string][]string{
		"all":     {"https://near.example/a.tar", "https://far.example/a.tar", "https://example.org/a.tar"},
		"aliases": {"https://example.org/a.tar"},
		"mirrors": {"https://near.example/a.tar", "https://far.example/a.tar"},
	} {
		if got := p.URLsWith("upstream:a.tar", policy); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q, want %q", policy, got, want)
		}
	}
	if got := p.URLsWith("https://x/y", "mirrors"); !reflect.DeepEqual(got, []string{"https://x/y"}) {
		t.Errorf("unaliased URL: got %q", got)
	}
	if got := p.TranslateURL("upstream:a.tar"); got != "https://example.org/a.tar" {
		t.Errorf("TranslateURL: %q", got)
	}
}
