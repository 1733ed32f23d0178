package cli

import (
	"errors"

	"example.org/bst/internal/bsterr"
)

func asBst(err error, out **bsterr.Error) bool { return errors.As(err, out) }
