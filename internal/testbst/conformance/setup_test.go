package conformance

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sys/unix"

	"example.org/bst/internal/testbst/expect"
)

// applySetup applies a case's setup ops in order to the module copy at
// e.mod. It returns the path to run the project from when an op makes it
// reachable through a symlink (symlink_project), else "".
func (e *caseRun) applySetup(ops []expect.SetupOp) (via string, err error) {
	for i, op := range ops {
		v := op.Value
		switch op.Op {
		case "overlay":
			err = copyTree(e.path(v.Value), e.proj)
		case "write":
			err = e.write(v)
		case "mkdir", "fresh_project":
			err = os.MkdirAll(e.path(v.Value), 0o755)
		case "remove":
			err = os.RemoveAll(e.path(v.Value))
		case "copy":
			var c struct{ From, To string }
			if err = v.Decode(&c); err == nil {
				err = copyTree(e.path(c.From), e.path(c.To))
			}
		case "symlink_project":
			via = filepath.Join(e.tmp, v.Value)
			err = os.Symlink(e.proj, via)
		case "symlink":
			var s struct{ Path, Target string }
			if err = v.Decode(&s); err == nil {
				p := e.path(s.Path)
				if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
					err = os.Symlink(s.Target, p)
				}
			}
		case "mkfifo":
			err = unix.Mkfifo(e.path(v.Value), 0o644)
		case "socket":
			err = makeSocket(e.path(v.Value))
		case "bst":
			var args []string
			if err = v.Decode(&args); err == nil {
				if r := e.bst(args); r.Err != nil {
					err = fmt.Errorf("`bst %s` failed: %s", strings.Join(args, " "), lastLine(r.Stderr))
				}
			}
		case "generate_junction":
			err = e.generateJunction(v)
		default:
			err = fmt.Errorf("unsupported setup op")
		}
		if err != nil {
			return "", fmt.Errorf("setup %d (%s): %w", i+1, op.Op, err)
		}
	}
	return via, nil
}

// path resolves a setup path, which is relative to the module directory.
func (e *caseRun) path(rel string) string {
	return filepath.Join(e.mod, filepath.FromSlash(rel))
}

// write implements {write: {path, yaml | text}}; {project} in the contents
// stands for the project directory.
func (e *caseRun) write(v *yaml.Node) error {
	var w struct {
		Path string    `yaml:"path"`
		YAML yaml.Node `yaml:"yaml"`
		Text *string   `yaml:"text"`
	}
	if err := v.Decode(&w); err != nil {
		return err
	}
	var text string
	switch {
	case w.Text != nil:
		text = *w.Text
	case w.YAML.Kind != 0:
		b, err := encodeYAML(&w.YAML)
		if err != nil {
			return err
		}
		text = string(b)
	default:
		return fmt.Errorf("write %s: neither yaml nor text", w.Path)
	}
	p := e.path(w.Path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	// Replace what is there: a directory, or a read-only file (the data's
	// files are mode 0444).
	if err := os.RemoveAll(p); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(strings.ReplaceAll(text, "{project}", e.proj)), 0o644)
}

// generateJunction implements {generate_junction: {subproject, junction,
// options?, store_ref?, refs_file?}}. Upstream packs the subproject into a
// git or tar repository; as the data's README allows, this copies it next to
// the junction and stages it with a `kind: local` source, which has no ref,
// so store_ref and refs_file need nothing.
func (e *caseRun) generateJunction(v *yaml.Node) error {
	var g struct {
		Subproject string    `yaml:"subproject"`
		Junction   string    `yaml:"junction"`
		Options    yaml.Node `yaml:"options"`
	}
	if err := v.Decode(&g); err != nil {
		return err
	}
	j := e.path(g.Junction)
	dst := filepath.Join(filepath.Dir(j), "_junction_src_"+filepath.Base(filepath.FromSlash(g.Subproject)))
	if _, err := os.Lstat(dst); os.IsNotExist(err) {
		if err := copyTree(e.path(g.Subproject), dst); err != nil {
			return err
		}
	}
	// A local source's path is relative to the project holding the junction.
	rel, err := filepath.Rel(projectRoot(filepath.Dir(j), e.mod), dst)
	if err != nil {
		return err
	}
	type config struct {
		Options *yaml.Node `yaml:"options"`
	}
	el := struct {
		Kind    string              `yaml:"kind"`
		Sources []map[string]string `yaml:"sources"`
		Config  *config             `yaml:"config,omitempty"`
	}{Kind: "junction", Sources: []map[string]string{{"kind": "local", "path": filepath.ToSlash(rel)}}}
	if g.Options.Kind != 0 {
		el.Config = &config{Options: blockStyle(&g.Options)}
	}
	b, err := encodeYAML(el)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(j), 0o755); err != nil {
		return err
	}
	return os.WriteFile(j, b, 0o644)
}

// projectRoot returns the nearest directory from dir up to stop holding a
// project.conf, or dir if there is none.
func projectRoot(dir, stop string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "project.conf")); err == nil {
			return d
		}
		if d == stop || d == filepath.Dir(d) {
			return dir
		}
	}
}

// encodeYAML writes v in block style (flow mappings and lists of the
// expectations file are expanded), keeping scalar quoting.
func encodeYAML(v any) ([]byte, error) {
	if n, ok := v.(*yaml.Node); ok {
		v = blockStyle(n)
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// blockStyle returns a copy of n without flow style and comments.
func blockStyle(n *yaml.Node) *yaml.Node {
	c := *n
	c.Style &^= yaml.FlowStyle
	c.HeadComment, c.LineComment, c.FootComment = "", "", ""
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = blockStyle(k)
	}
	return &c
}

// makeSocket binds a unix-domain socket at path and closes it, leaving the
// socket node. It binds at a short path and renames, since socket addresses
// are limited to 108 bytes and test temporary paths can be longer.
func makeSocket(path string) error {
	dir, err := os.MkdirTemp("", "sock")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	short := filepath.Join(dir, "s")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: short, Net: "unix"})
	if err != nil {
		return err
	}
	l.SetUnlinkOnClose(false)
	if err := l.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.Rename(short, path)
}

// copyTree copies the tree at src into dst (merging with what is there),
// keeping symlinks as symlinks and file modes.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch mode := info.Mode(); {
		case mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			return os.Chmod(target, mode.Perm()|0o700)
		case mode&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case mode.IsRegular():
			return copyFile(p, target, mode.Perm())
		default:
			return fmt.Errorf("copy %s: unsupported file type %v", p, mode.Type())
		}
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err // a read-only file there could not be truncated
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, perm) // not reduced by the umask
}

func lastLine(s string) string {
	lines := expect.SplitLines(strings.TrimSpace(s))
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}
