package stream

import (
	"context"
	"errors"
	"testing"

	"example.org/bst/internal/element"
)

// TestSchedulerErrorWithoutDecide: a job that fails before its build (its
// log, the cache) is handled by the same on-error rule: with continue, the
// independent element is still built.
func TestSchedulerErrorWithoutDecide(t *testing.T) {
	a := &element.Element{FullName: "a"}
	b := &element.Element{FullName: "b"}
	var built []string
	sc := &scheduler{n: 1, onError: OnErrorContinue,
		run: func(ctx context.Context, e *element.Element, decide func(*Failure) FailureAction) error {
			if e == a {
				return errors.New("cannot create the log")
			}
			built = append(built, e.FullName)
			return nil
		}}
	failures := sc.runAll(context.Background(), []*element.Element{a, b})
	if len(failures) != 1 || len(built) != 1 || built[0] != "b" {
		t.Errorf("failures %v, built %v; want a's failure and b built", failures, built)
	}
}
