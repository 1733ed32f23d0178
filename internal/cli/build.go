package cli

import (
	"bufio"
	"context"

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
	var deps, directory string
	var hardlinks, force bool
	cmd := &cobra.Command{
		Use:   "checkout [TARGET]",
		Short: "Checkout contents of an artifact",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "run", "build", "none", "all"); err != nil {
				return err
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
				Directory: directory, Hardlinks: hardlinks, Force: force})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&deps, "deps", "d", "run", "The dependencies to checkout")
	f.StringVar(&directory, "directory", "", "The directory to checkout the artifact to")
	f.BoolVar(&hardlinks, "hardlinks", false, "Checkout hardlinks instead of copying if possible")
	f.BoolVarP(&force, "force", "f", false, "Allow files to be overwritten")
	return cmd
}

// checkoutCmd is BuildStream 1's `bst checkout ELEMENT LOCATION`.
func (a *app) checkoutCmd() *cobra.Command {
	var deps string
	var hardlinks, force bool
	cmd := &cobra.Command{
		Use:   "checkout ELEMENT LOCATION",
		Short: "Checkout a built artifact (BuildStream 1.x name of `artifact checkout`)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "run", "none"); err != nil {
				return err
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			return s.ArtifactCheckout(a.ctx, stream.ArtifactCheckoutOptions{Target: args[0], Deps: scopes[deps],
				Directory: args[1], Hardlinks: hardlinks, Force: force})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&deps, "deps", "d", "run", "The dependencies to checkout")
	f.BoolVar(&hardlinks, "hardlinks", false, "Checkout hardlinks instead of copying if possible")
	f.BoolVarP(&force, "force", "f", false, "Allow files to be overwritten")
	f.Bool("integrate", true, "Whether to run integration commands")
	f.Bool("no-integrate", false, "Do not run integration commands")
	return cmd
}

func (a *app) artifactGroup() *cobra.Command {
	cmd := &cobra.Command{Use: "artifact", Short: "Manipulate cached artifacts"}
	cmd.AddCommand(a.artifactCheckoutCmd())
	cmd.AddCommand(a.artifactCmds()...)
	return cmd
}
