package tar

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"strings"
)

// member is what the base-dir search needs of a tar member.
type member struct {
	name  string // as Python's tarfile names it (see memberName)
	isDir bool
}

// memberName is the name Python's tarfile gives a member: directories
// lose their trailing slashes.
func memberName(h *tar.Header) string {
	if h.Typeflag == tar.TypeDir {
		return strings.TrimRight(h.Name, "/")
	}
	return h.Name
}

// isDir reports a directory member (archive/tar already turns old-style
// regular entries whose name ends in '/' into directories, as tarfile
// does).
func isDir(h *tar.Header) bool { return h.Typeflag == tar.TypeDir }

// listPaths lists the candidate base directories of an archive as the
// tar plugin's _list_tar_paths does, quirks included:
//   - every leading '.' and '/' character is stripped (so ".hidden"
//     lists as "hidden", and a "./" member as "", which the default "*"
//     matches and sorts first: such archives are staged whole);
//   - directories implied by a file's path are listed unless a member
//     has exactly that name.
func listPaths(ctx context.Context, a *archive) ([]string, error) {
	r, err := a.reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var members []member
	names := map[string]bool{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m := member{name: memberName(h), isDir: isDir(h)}
		members = append(members, m)
		names[m.name] = true
	}
	var out []string
	visited := map[string]bool{}
	for _, m := range members {
		name := strings.TrimLeft(m.name, "./")
		if !m.isDir {
			components := strings.Split(name, "/")
			for i := 1; i < len(components); i++ {
				dir := strings.Join(components[:i], "/")
				if visited[dir] {
					continue
				}
				visited[dir] = true
				if !names[dir] && dir != "." {
					out = append(out, dir)
				}
			}
			continue
		}
		if name == "." {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}
