package cargo

import (
	"net/url"

	"example.org/bst/internal/plugin"
	"example.org/bst/internal/plugins/sources/git"
	"example.org/bst/internal/yamlnode"
)

// gitGroup is one repository commit that git crates come from.
type gitGroup struct {
	repo, commit string
	query        [][2]string
	crates       []crate
}

// gitGroups lists the git crates by repository and commit, in ref order.
func (s *Source) gitGroups() []*gitGroup {
	var out []*gitGroup
	index := map[[2]string]*gitGroup{}
	for _, cr := range s.crates {
		if cr.kind != KindGit {
			continue
		}
		k := [2]string{cr.repo, cr.commit}
		g := index[k]
		if g == nil {
			g = &gitGroup{repo: cr.repo, commit: cr.commit, query: cr.query}
			index[k] = g
			out = append(out, g)
		}
		g.crates = append(g.crates, cr)
	}
	return out
}

// gitSource is a git_repo source for the group's commit, keeping its
// mirror under SourceDir/<kind>/.
func (s *Source) gitSource(g *gitGroup) (plugin.Source, error) {
	c := yamlnode.NewMapping(*s.prov)
	c.Set("url", yamlnode.NewScalar(g.repo, *s.prov))
	c.Set("ref", yamlnode.NewScalar(g.commit, *s.prov))
	return git.NewGitRepo(plugin.SourceSpec{Kind: s.kind, Gen: 2, Config: c, Element: s.element})
}

// sourceKey is the name cargo gives a git source in its configuration
// ("git+<repo>?<query>"), used for the source replacement entry.
func (g *gitGroup) sourceKey(repo string) string {
	k := "git+" + repo
	for i, kv := range g.query {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		k += sep + url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1])
	}
	return k
}
