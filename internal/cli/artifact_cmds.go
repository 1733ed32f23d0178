package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"example.org/bst/internal/cas"
	"example.org/bst/internal/stream"
)

// artifactCmds are BuildStream 2's `bst artifact show|log|list-contents|
// delete`, over the local artifact cache. Arguments are element names
// (ending in ".bst") or artifact names ("<project>/<element>/<key>").
func (a *app) artifactCmds() []*cobra.Command {
	return []*cobra.Command{a.artifactShowCmd(), a.artifactLogCmd(), a.artifactListContentsCmd(), a.artifactDeleteCmd()}
}

// warner prints the warnings of the artifact use cases to stderr in the
// shape of bst's other messages.
func (a *app) warner() stream.ArtifactWarner {
	return func(msg string) { fmt.Fprintf(a.inv.Stderr, "%-7s %s\n", "WARNING", msg) }
}

func (a *app) artifactShowCmd() *cobra.Command {
	var deps string
	cmd := &cobra.Command{
		Use:   "show [ARTIFACTS]...",
		Short: "Show the cached state of artifacts",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "build", "run", "all", "none"); err != nil {
				return err
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			ts, err := s.ArtifactShow(a.ctx, stream.ArtifactShowOptions{Targets: args, Deps: scopes[deps]})
			if err != nil {
				return err
			}
			// widget.py show_state_of_artifacts: "%{state: >12} %{name}",
			// then click.echo's newline after the report.
			var b strings.Builder
			for _, t := range ts {
				fmt.Fprintf(&b, "%12s %s\n", t.State(), t.Name)
			}
			fmt.Fprintln(a.inv.Stdout, b.String())
			return nil
		},
	}
	cmd.Flags().StringVarP(&deps, "deps", "d", "none", "The dependencies we also want to show")
	return cmd
}

func (a *app) artifactLogCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "log [ARTIFACTS]...",
		Short: "Show logs of artifacts",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			logs, err := s.ArtifactLog(a.ctx, stream.ArtifactLogOptions{Targets: args, Out: out, Warn: a.warner()})
			if err != nil || out != "" {
				return err
			}
			// cli.py echoes each log via the pager, which adds a newline.
			for _, l := range logs {
				for _, f := range l.Logs {
					a.inv.Stdout.Write(f.Data)
					io.WriteString(a.inv.Stdout, "\n")
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "Output logs to individual files in the specified path. If absent, logs are written to stdout.")
	return cmd
}

func (a *app) artifactListContentsCmd() *cobra.Command {
	var long bool
	cmd := &cobra.Command{
		Use:   "list-contents [ARTIFACTS]...",
		Short: "List the contents of an artifact",
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			cs, err := s.ArtifactListContents(a.ctx, stream.ArtifactListContentsOptions{Targets: args, Warn: a.warner()})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.inv.Stdout, renderContents(cs, long))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "Provide more information about the contents of the artifact.")
	return cmd
}

// renderContents is widget.py's pretty_print_element_contents.
func renderContents(cs []stream.ArtifactContents, long bool) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "  %s:", c.Target.Name)
		if len(c.Entries) == 0 {
			b.WriteString("\n\tThis element has no associated artifacts")
		}
		for _, e := range c.Entries {
			b.WriteString("\n\t")
			b.WriteString(fileStats(e, long))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// fileStats is widget.py's _get_filestats.
func fileStats(e cas.Entry, long bool) string {
	if !long {
		return e.Path
	}
	var mode, kind, name string
	var size int64
	name = e.Path
	switch {
	case e.Type == cas.DirectoryEntry:
		mode, kind = "drwxr-xr-x", "dir"
	case e.Type == cas.SymlinkEntry:
		mode, kind, size = "lrwxrwxrwx", "link", int64(len(e.Target))
		name += " -> " + e.Target
	case e.Executable:
		mode, kind, size = "-rwxr-xr-x", "exe", e.Digest.SizeBytes()
	default:
		mode, kind, size = "-rw-r--r--", "reg", e.Digest.SizeBytes()
	}
	// Sizes are padded to 11 characters (files up to 99G), then a space.
	s := strconv.FormatInt(size, 10)
	pad := max(11-len(s), 0)
	return fmt.Sprintf("%s  %-4s   %s%s %s", mode, kind, s, strings.Repeat(" ", pad), name)
}

func (a *app) artifactDeleteCmd() *cobra.Command {
	var deps string
	cmd := &cobra.Command{
		Use:   "delete [ARTIFACTS]...",
		Short: "Remove artifacts from the local cache",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := choice(cmd, "--deps", deps, "none", "run", "build", "all"); err != nil {
				return err
			}
			s, err := a.session()
			if err != nil {
				return err
			}
			defer s.Close()
			removed, err := s.ArtifactDelete(a.ctx, stream.ArtifactDeleteOptions{Targets: args, Deps: scopes[deps], Warn: a.warner()})
			for _, r := range removed {
				fmt.Fprintf(a.inv.Stderr, "%-7s Removed: %s\n", "INFO", r)
			}
			if err == nil && len(removed) == 0 {
				fmt.Fprintf(a.inv.Stderr, "%-7s No artifacts were removed\n", "INFO")
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&deps, "deps", "d", "none", "The dependencies to delete")
	return cmd
}
