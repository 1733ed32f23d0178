package project

import "strings"

// TranslateURL expands an "alias:path" URL with the project's alias.
// URLs without a known alias are returned unchanged.
func (p *Project) TranslateURL(url string) string {
	alias, body, ok := strings.Cut(url, ":")
	if !ok {
		return url
	}
	if v, ok, _ := p.Second.Aliases.String(alias); ok {
		return v + body
	}
	return url
}

// URLs returns the URLs to try, in order, for a URL as written in an
// element: for an aliased URL, every mirror of the alias (the default
// mirror's first, then the others in project order), then the alias's
// own value; an unaliased URL is returned alone.
func (p *Project) URLs(url string) []string { return p.URLsWith(url, "all") }

// URLsWith is URLs under a BuildStream 2 source policy (`fetch.source`,
// `track.source`): "all" tries the mirrors then the alias, "aliases" only
// the alias, "mirrors" only the mirrors; "user" (user-configured mirrors)
// is treated as "mirrors" since bst reads mirrors from project.conf only.
func (p *Project) URLsWith(url, policy string) []string {
	all := p.urls(url)
	alias, _, ok := strings.Cut(url, ":")
	if _, known, _ := p.Second.Aliases.String(alias); !ok || !known {
		return all
	}
	switch policy {
	case "aliases":
		return all[len(all)-1:]
	case "mirrors", "user":
		return all[:len(all)-1]
	}
	return all
}

func (p *Project) urls(url string) []string {
	alias, body, ok := strings.Cut(url, ":")
	if !ok {
		return []string{url}
	}
	base, known, _ := p.Second.Aliases.String(alias)
	if !known {
		return []string{url}
	}
	var out []string
	for _, m := range p.Second.Mirrors {
		uris := m.Aliases[alias]
		if len(uris) == 0 {
			continue
		}
		if m.Name == p.Second.DefaultMirror {
			out = append(append([]string{}, uris...), out...)
		} else {
			out = append(out, uris...)
		}
	}
	out = append(out, base)
	for i := range out {
		out[i] += body
	}
	return out
}
