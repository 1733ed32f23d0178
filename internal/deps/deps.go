package deps
import (
 _ "go.yaml.in/yaml/v3"
 _ "github.com/spf13/cobra"
 _ "github.com/rogpeppe/go-internal/testscript"
 _ "github.com/google/go-cmp/cmp"
 _ "golang.org/x/sync/errgroup"
 _ "golang.org/x/term"
 _ "golang.org/x/sys/unix"
 _ "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
 _ "google.golang.org/protobuf/proto"
)
