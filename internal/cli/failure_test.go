package cli

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.org/bst/internal/element"
	"example.org/bst/internal/stream"
)

func TestFailurePrompt(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "build.log")
	if err := os.WriteFile(logPath, []byte("the whole build log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &element.Element{FullName: "hello.bst"}
	for _, tc := range []struct {
		input   string
		sysroot string
		want    stream.FailureAction
		says    []string
		shells  int
	}{
		{input: "\n", want: stream.ActionContinue, says: []string{"Continuing with other non failing elements"}},
		{input: "q\n", want: stream.ActionQuit, says: []string{"Completing ongoing tasks before quitting"}},
		{input: "t\n", want: stream.ActionTerminate, says: []string{"Terminating all jobs"}},
		{input: "retry\n", want: stream.ActionRetry, says: []string{"Retrying failed job"}},
		// The log is shown, then the prompt comes back.
		{input: "l\nc\n", want: stream.ActionContinue, says: []string{"the whole build log", "Choice: [continue]: "}},
		// An unknown answer asks again; EOF (no terminal left) terminates.
		{input: "x\n", want: stream.ActionTerminate, says: []string{"Error: invalid choice: x."}},
		// The shell is offered only with a sandbox.
		{input: "s\nq\n", want: stream.ActionQuit, says: []string{"Error: invalid choice: s."}},
		{input: "s\nq\n", sysroot: "/sysroot", want: stream.ActionQuit, shells: 1,
			says: []string{"(s)hell     - Drop into a shell in the failed build sandbox", "Dropping into an interactive shell"}},
	} {
		var out strings.Builder
		shells := 0
		p := &failurePrompt{in: bufio.NewReader(strings.NewReader(tc.input)), out: &out,
			shell: func(ctx context.Context, f *stream.Failure) error { shells++; return nil }}
		got := p.ask(context.Background(), &stream.Failure{Element: e, Err: errors.New("boom"), LogPath: logPath, Sysroot: tc.sysroot})
		if got != tc.want || shells != tc.shells {
			t.Errorf("%q: got action %d with %d shells, want %d with %d", tc.input, got, shells, tc.want, tc.shells)
		}
		for _, s := range tc.says {
			if !strings.Contains(out.String(), s) {
				t.Errorf("%q: the prompt never says %q:\n%s", tc.input, s, out.String())
			}
		}
		if !strings.Contains(out.String(), "Build failure on element: hello.bst") {
			t.Errorf("%q: no summary:\n%s", tc.input, out.String())
		}
	}
}

func TestMatchChoice(t *testing.T) {
	choices := []string{"continue", "quit", "terminate", "retry", "log"}
	for in, want := range map[string]string{"": "continue", "c": "continue", "cont": "continue", "l": "log", "te": "terminate", "z": ""} {
		got, ok := matchChoice(in, choices)
		if got != want || ok != (want != "") {
			t.Errorf("matchChoice(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
