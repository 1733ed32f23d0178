package cas

import (
	"context"
	"sort"

	remoteexecution "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"example.org/bst/internal/digest"
)

// Merge overlays the trees roots[1:] on roots[0], in order, and stores the
// result: where two trees have a directory of the same name the two are
// merged; any other entry of a later tree replaces what an earlier one
// has under that name. Subtrees only one side has are shared, not copied,
// so the cost grows with the directories both sides have. Merge of no
// roots is the empty Directory.
func Merge(ctx context.Context, s Store, roots ...digest.Digest) (digest.Digest, error) {
	if len(roots) == 0 {
		return s.PutDirectory(ctx, &remoteexecution.Directory{})
	}
	acc := roots[0]
	for _, r := range roots[1:] {
		var err error
		if acc, err = mergeTwo(ctx, s, acc, r); err != nil {
			return digest.Digest{}, err
		}
	}
	return acc, nil
}

func mergeTwo(ctx context.Context, s Store, lower, upper digest.Digest) (digest.Digest, error) {
	if lower == upper {
		return upper, nil
	}
	lo, err := s.GetDirectory(ctx, lower)
	if err != nil {
		return digest.Digest{}, err
	}
	up, err := s.GetDirectory(ctx, upper)
	if err != nil {
		return digest.Digest{}, err
	}
	lowerDirs := map[string]digest.Digest{}
	for _, sub := range lo.GetDirectories() {
		lowerDirs[sub.GetName()], _ = digest.NewFromProto(sub.GetDigest())
	}
	taken := map[string]bool{}
	out := &remoteexecution.Directory{}
	for _, f := range up.GetFiles() {
		taken[f.GetName()] = true
		out.Files = append(out.Files, f)
	}
	for _, l := range up.GetSymlinks() {
		taken[l.GetName()] = true
		out.Symlinks = append(out.Symlinks, l)
	}
	for _, sub := range up.GetDirectories() {
		taken[sub.GetName()] = true
		d, _ := digest.NewFromProto(sub.GetDigest())
		if ld, ok := lowerDirs[sub.GetName()]; ok {
			if d, err = mergeTwo(ctx, s, ld, d); err != nil {
				return digest.Digest{}, err
			}
		}
		out.Directories = append(out.Directories, &remoteexecution.DirectoryNode{Name: sub.GetName(), Digest: d.Proto()})
	}
	for _, f := range lo.GetFiles() {
		if !taken[f.GetName()] {
			out.Files = append(out.Files, f)
		}
	}
	for _, l := range lo.GetSymlinks() {
		if !taken[l.GetName()] {
			out.Symlinks = append(out.Symlinks, l)
		}
	}
	for _, sub := range lo.GetDirectories() {
		if !taken[sub.GetName()] {
			out.Directories = append(out.Directories, sub)
		}
	}
	sort.Slice(out.Files, func(i, j int) bool { return out.Files[i].GetName() < out.Files[j].GetName() })
	sort.Slice(out.Directories, func(i, j int) bool { return out.Directories[i].GetName() < out.Directories[j].GetName() })
	sort.Slice(out.Symlinks, func(i, j int) bool { return out.Symlinks[i].GetName() < out.Symlinks[j].GetName() })
	return s.PutDirectory(ctx, out)
}
