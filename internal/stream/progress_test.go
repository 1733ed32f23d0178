package stream

import (
	"testing"
	"time"

	"example.org/bst/internal/element"
)

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

type recorder struct{ texts []string }

func (r *recorder) Message(kind, action string, e *element.Element, elapsed time.Duration, text string) {
	r.texts = append(r.texts, kind+" "+action+" "+text)
}

func TestProgressThrottled(t *testing.T) {
	r := &recorder{}
	s := &Session{Messages: r}
	report := s.progress(&element.Element{Name: "e.bst"})
	report(1024, 4096)
	report(2048, 4096) // within a second: dropped
	report(4096, 4096) // the end is always reported
	want := []string{"STATUS fetch Downloaded 1.0 KiB of 4.0 KiB (25%)", "STATUS fetch Downloaded 4.0 KiB of 4.0 KiB (100%)"}
	if len(r.texts) != len(want) {
		t.Fatalf("got %q, want %q", r.texts, want)
	}
	for i := range want {
		if r.texts[i] != want[i] {
			t.Errorf("message %d = %q, want %q", i, r.texts[i], want[i])
		}
	}
}
