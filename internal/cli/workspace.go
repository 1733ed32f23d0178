package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/project"
	"example.org/bst/internal/stream"
	"example.org/bst/internal/yamlnode"
)

func (a *app) workspaceGroup() *cobra.Command {
	cmd := &cobra.Command{Use: "workspace", Short: "Manipulate developer workspaces"}
	cmd.AddCommand(a.workspaceOpenCmd(), a.workspaceCloseCmd(), a.workspaceResetCmd(), a.workspaceListCmd())
	return cmd
}

func (a *app) workspaceOpenCmd() *cobra.Command {
	var o stream.WorkspaceOpenOptions
	cmd := &cobra.Command{
		Use:   "open ELEMENTS...",
		Short: "Open a new workspace",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.LoadProject(a.ctx); err != nil {
				return err
			}
			// BuildStream 1 takes ELEMENT DIRECTORY; 2 takes ELEMENTS
			// and --directory.
			if s.Project.Gen == project.Gen1 {
				cmd.Use = "open ELEMENT DIRECTORY" // 1.x's usage line
				switch {
				case cmd.Flags().Changed("directory"):
					return usageError(cmd, "no such option: --directory")
				case len(args) == 0:
					return usageError(cmd, "Missing argument 'ELEMENT'.")
				case len(args) == 1:
					return usageError(cmd, "Missing argument 'DIRECTORY'.")
				case len(args) > 2:
					return usageError(cmd, "Got unexpected extra argument (%s)", args[2])
				}
				o.Targets, o.Directory = args[:1], args[1]
			} else {
				if cmd.Flags().Changed("track") {
					return usageError(cmd, "no such option: --track")
				}
				if len(args) == 0 {
					return usageError(cmd, "Missing argument 'ELEMENTS...'.")
				}
				o.Targets = args
			}
			return s.WorkspaceOpen(a.ctx, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.NoCheckout, "no-checkout", false, "Do not checkout the source, only link to the given directory")
	f.BoolVarP(&o.Force, "force", "f", false, "The workspace will be created even if the directory in which it will be created is not empty or if a workspace for that element already exists")
	f.BoolVar(&o.Track, "track", false, "Track and fetch new source references before checking out the workspace (1.x)")
	f.StringVar(&o.Directory, "directory", "", "Only for use when a single Element is given: Set the directory to use to create the workspace (2.x)")
	return cmd
}

func (a *app) workspaceCloseCmd() *cobra.Command {
	var removeDir, all bool
	cmd := &cobra.Command{
		Use:   "close [ELEMENTS]...",
		Short: "Close workspaces",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			if len(args) == 0 && !all {
				if err := s.LoadProject(a.ctx); err != nil {
					return err
				}
				if s.Project.Gen == project.Gen1 {
					return bsterr.App(bsterr.Unknown, "ERROR: no elements specified")
				}
				return bsterr.App(bsterr.Unknown, "No elements specified")
			}
			if all {
				open, err := s.WorkspaceExists(a.ctx)
				if err != nil {
					return err
				}
				if !open {
					fmt.Fprintln(a.inv.Stderr, "No open workspaces to close")
					return nil
				}
			}
			return s.WorkspaceClose(a.ctx, args, all, removeDir)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&removeDir, "remove-dir", false, "Remove the path that contains the closed workspace")
	f.BoolVarP(&all, "all", "a", false, "Close all open workspaces")
	return cmd
}

func (a *app) workspaceResetCmd() *cobra.Command {
	var o stream.WorkspaceResetOptions
	cmd := &cobra.Command{
		Use:   "reset [ELEMENTS]...",
		Short: "Reset a workspace to its original state",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.sourceSession()
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.LoadProject(a.ctx); err != nil {
				return err
			}
			gen2 := s.Project.Gen == project.Gen2
			if gen2 && cmd.Flags().Changed("track") {
				return usageError(cmd, "no such option: --track")
			}
			if gen2 && o.All && len(args) > 0 {
				return bsterr.App(bsterr.Unknown, "Specify either --all or elements, not both")
			}
			if !o.All && len(args) == 0 {
				return bsterr.App(bsterr.Unknown, "No elements specified to reset")
			}
			if o.All {
				open, err := s.WorkspaceExists(a.ctx)
				if err != nil {
					return err
				}
				if !open {
					return bsterr.App(bsterr.Unknown, "No open workspaces to reset")
				}
			}
			o.Targets = args
			return s.WorkspaceReset(a.ctx, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Soft, "soft", false, "Reset workspace state without affecting its contents")
	f.BoolVar(&o.Track, "track", false, "Track and fetch the latest source before resetting (1.x)")
	f.BoolVarP(&o.All, "all", "a", false, "Reset all open workspaces")
	return cmd
}

func (a *app) workspaceListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List open workspaces",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			ws, err := s.WorkspaceList(a.ctx)
			if err != nil {
				return err
			}
			list := make([]any, 0, len(ws))
			for _, w := range ws {
				list = append(list, yamlnode.Ordered{{Key: "element", Value: w.Element}, {Key: "directory", Value: w.Directory}})
			}
			out := yamlnode.DumpCompact(map[string]any{"workspaces": list})
			if len(list) == 0 {
				out = "workspaces: []\n"
			}
			_, err = a.inv.Stdout.Write([]byte(out))
			return err
		},
	}
}
