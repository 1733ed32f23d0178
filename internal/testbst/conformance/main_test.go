package conformance

import (
	"fmt"
	"os"
	"testing"
)

// TestMain prints the conformance summary after the tests, so it shows with
// go test -v (and whenever go test shows the package's output).
func TestMain(m *testing.M) {
	code := m.Run()
	if s := results.summary(); s != "" {
		fmt.Print(s)
	}
	if s := cachekeyResults.summary(); s != "" {
		fmt.Print(s)
	}
	os.Exit(code)
}
