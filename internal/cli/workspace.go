package cli

import (
	"github.com/spf13/cobra"

	"example.org/bst/internal/yamlnode"
)

func (a *app) workspaceGroup() *cobra.Command {
	cmd := &cobra.Command{Use: "workspace", Short: "Manipulate developer workspaces"}
	cmd.AddCommand(&cobra.Command{
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
				list = append(list, map[string]any{"element": w.Element, "directory": w.Directory})
			}
			out := yamlnode.Dump(map[string]any{"workspaces": list})
			if len(list) == 0 {
				out = "workspaces: []\n"
			}
			_, err = a.inv.Stdout.Write([]byte(out))
			return err
		},
	})
	return cmd
}
