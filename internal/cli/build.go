package cli

import (
	"bufio"
	"context"
	"strings"

	"github.com/spf13/cobra"

	"example.org/bst/internal/stream"
)

func (a *app) buildCmd() *cobra.Command {
	var deps string
	var all, retryFailed bool
	cmd := &cobra.Command{
		Use:   "build [ELEMENTS]...",
		Short: "Build elements in a pipeline",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "none", "build", "run", "all"); err != nil {
				return err
			}
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			onError := s.Config.OnError
			if a.g.onError != "" {
				if err := choice(a.root, "--on-error", a.g.onError, "continue", "quit", "terminate"); err != nil {
					return err
				}
				onError = a.g.onError
			}
			if a.g.builders > 0 {
				s.Config.Builders = a.g.builders
			}
			_ = all // 1.x --all: every dependency is built anyway
			o := stream.BuildOptions{Targets: args, Deps: scopes[deps], Fetchers: s.Config.Fetchers,
				Builders: s.Config.Builders, OnError: stream.OnError(onError), RetryFailed: retryFailed,
				ErrorLines: a.g.errorLines}
			m := s.Messages.(*messages)
			m.session = a.newSession(s)
			defer m.Summary()
			if a.interactive() {
				m.status = newStatusArea(a.inv.Stderr, "", a.start)
				defer m.status.close()
				p := &failurePrompt{in: bufio.NewReader(a.inv.Stdin), out: a.inv.Stderr, status: m.status}
				p.shell = func(ctx context.Context, f *stream.Failure) error {
					return s.FailureShell(ctx, f, a.inv.Stdin, a.inv.Stderr, a.inv.Stderr)
				}
				o.OnFailure = p.ask
			}
			err = s.Build(a.ctx, o)
			a.reportCacheUsage(s)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&deps, "deps", "d", "all", "The dependencies to build")
	f.BoolVar(&all, "all", false, "Build elements that would not be needed for the current build plan (1.x)")
	f.BoolVarP(&retryFailed, "retry-failed", "r", false, "Retry failed builds")
	return cmd
}

func (a *app) artifactCheckoutCmd() *cobra.Command {
	var deps, directory, tarPath, compression string
	var hardlinks, force, integrate, noIntegrate bool
	cmd := &cobra.Command{
		Use:   "checkout [TARGET]",
		Short: "Checkout contents of an artifact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "run", "build", "none", "all"); err != nil {
				return err
			}
			switch {
			case hardlinks && tarPath != "":
				return usageError(cmd, "options --hardlinks and --tar conflict")
			case tarPath != "" && directory != "":
				return usageError(cmd, "options --directory and --tar conflict")
			case compression != "" && tarPath == "":
				return usageError(cmd, "--compression can only be provided if --tar is provided")
			case integrate && noIntegrate:
				return usageError(cmd, "options --integrate and --no-integrate conflict")
			}
			if compression == "" && tarPath != "" {
				compression = compressionOf(tarPath)
			}
			if directory == "" {
				directory = args[0]
				if i := len(directory) - len(".bst"); i > 0 && directory[i:] == ".bst" {
					directory = directory[:i]
				}
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			return s.ArtifactCheckout(a.ctx, stream.ArtifactCheckoutOptions{Target: args[0], Deps: scopes[deps],
				Directory: directory, Hardlinks: hardlinks, Force: force, Integrate: !noIntegrate,
				Tar: tarPath, Compression: compression, Stdout: a.inv.Stdout})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&deps, "deps", "d", "run", "The dependencies to checkout")
	f.StringVar(&directory, "directory", "", "The directory to checkout the artifact to")
	f.BoolVar(&hardlinks, "hardlinks", false, "Checkout hardlinks instead of copying if possible")
	f.BoolVarP(&force, "force", "f", false, "Allow files to be overwritten")
	f.BoolVar(&integrate, "integrate", false, "Run integration commands (the default)")
	f.BoolVar(&noIntegrate, "no-integrate", false, "Do not run integration commands")
	f.StringVar(&tarPath, "tar", "", "Create a tarball from the artifact contents instead of a file tree (- for stdout)")
	f.StringVar(&compression, "compression", "", "The compression option of the tarball created (gz)")
	return cmd
}

// compressionOf is the compression a tarball's name asks for (BuildStream's
// utils._get_compression): .tar.gz/.tgz gz, .tar.xz xz, .tar.bz2 bz2.
func compressionOf(path string) string {
	switch {
	case strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".tgz"):
		return "gz"
	case strings.HasSuffix(path, ".xz"):
		return "xz"
	case strings.HasSuffix(path, ".bz2"):
		return "bz2"
	}
	return ""
}

// checkoutCmd is BuildStream 1's `bst checkout ELEMENT LOCATION`.
func (a *app) checkoutCmd() *cobra.Command {
	var deps string
	var hardlinks, force, tar, noIntegrate bool
	cmd := &cobra.Command{
		Use:   "checkout ELEMENT LOCATION",
		Short: "Checkout a built artifact (BuildStream 1.x name of `artifact checkout`)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "run", "none"); err != nil {
				return err
			}
			if hardlinks && tar {
				return usageError(cmd, "options --hardlinks and --tar conflict")
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			o := stream.ArtifactCheckoutOptions{Target: args[0], Deps: scopes[deps],
				Directory: args[1], Hardlinks: hardlinks, Force: force, Integrate: !noIntegrate, Stdout: a.inv.Stdout}
			if tar {
				o.Directory, o.Tar = "", args[1]
			}
			return s.ArtifactCheckout(a.ctx, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&deps, "deps", "d", "run", "The dependencies to checkout")
	f.BoolVar(&hardlinks, "hardlinks", false, "Checkout hardlinks instead of copying if possible")
	f.BoolVarP(&force, "force", "f", false, "Allow files to be overwritten")
	f.Bool("integrate", true, "Whether to run integration commands")
	f.BoolVar(&noIntegrate, "no-integrate", false, "Do not run integration commands")
	f.BoolVar(&tar, "tar", false, "Create a tarball from the artifact contents instead of a file tree (LOCATION - for stdout)")
	return cmd
}

func (a *app) artifactGroup() *cobra.Command {
	cmd := &cobra.Command{Use: "artifact", Short: "Manipulate cached artifacts"}
	cmd.AddCommand(a.artifactCheckoutCmd())
	cmd.AddCommand(a.artifactCmds()...)
	return cmd
}
