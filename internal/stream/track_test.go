package stream

import (
	"testing"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/yamlnode"
)

func TestApplyRef(t *testing.T) {
	scalar := func(v string) yamlnode.Node { return yamlnode.NewScalar(v, bsterr.Provenance{}) }
	tags := func(names ...string) yamlnode.Node {
		seq := &yamlnode.Sequence{}
		for _, n := range names {
			m := yamlnode.NewMapping(bsterr.Provenance{})
			m.Set("tag", scalar(n))
			seq.Items = append(seq.Items, m)
		}
		return seq
	}
	tests := []struct {
		name   string
		config string
		values []refValue
		want   []string // keys written
		after  string   // configuration after, dumped
	}{
		{"new ref and tags", "url: u\n", []refValue{{"ref", scalar("a")}, {"tags", tags("v1")}},
			[]string{"ref", "tags"}, "ref: a\ntags:\n  - tag: v1\nurl: u\n"},
		{"same ref, tags removed", "url: u\nref: a\ntags:\n- tag: v1\n", []refValue{{"ref", scalar("a")}, {"tags", nil}},
			[]string{"tags"}, "ref: a\nurl: u\n"},
		{"same ref quoted differently, no tags before or after", "url: u\nref: 'a'\n", []refValue{{"ref", scalar("a")}, {"tags", nil}},
			nil, "ref: a\nurl: u\n"},
		{"same tags, new ref", "url: u\nref: a\ntags:\n- {tag: v1}\n", []refValue{{"ref", scalar("b")}, {"tags", tags("v1")}},
			[]string{"ref"}, "ref: b\ntags:\n  - tag: v1\nurl: u\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := yamlnode.Parse([]byte(tt.config), "e.bst")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, kv := range applyRef(cfg, tt.values) {
				got = append(got, kv.key)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("written %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("written %v, want %v", got, tt.want)
				}
			}
			if d := yamlnode.Dump(yamlnode.Plain(cfg, true)); d != tt.after {
				t.Errorf("configuration after:\n%s\nwant:\n%s", d, tt.after)
			}
		})
	}
}
