package splitrules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Domain is one entry of an element's split-rules mapping: the domain name
// and its glob rules, variables already expanded and surrounding spaces
// already stripped (BuildStream strips each rule before substituting).
type Domain struct {
	Name  string
	Rules []string
}

// Domains is an element's compiled split rules, in the order of the
// split-rules mapping.
type Domains struct {
	names []string
	res   []*regexp.Regexp
}

// NewDomains compiles the split-rules mapping ds. A name given twice keeps
// its first position and its last rules, as a Python dict does.
func NewDomains(ds []Domain) (*Domains, error) {
	d := &Domains{}
	for _, dom := range ds {
		re, err := Compile(dom.Rules)
		if err != nil {
			return nil, fmt.Errorf("split domain %q: %w", dom.Name, err)
		}
		if i := slices.Index(d.names, dom.Name); i >= 0 {
			d.res[i] = re
			continue
		}
		d.names = append(d.names, dom.Name)
		d.res = append(d.res, re)
	}
	return d, nil
}

// Names returns the domain names in order.
func (d *Domains) Names() []string { return slices.Clone(d.names) }

// Has reports whether name is one of the domains.
func (d *Domains) Has(name string) bool { return slices.Contains(d.names, name) }

// absolute is os.path.join("/", path).
func absolute(path string) string {
	if strings.HasPrefix(path, "/") {
		return path
	}
	return "/" + path
}

// Classify returns, in domain order, the domains whose rules match path, a
// path relative to the artifact root (it is matched as "/" + path, as
// Element.__compute_splits does).
func (d *Domains) Classify(path string) []string {
	abs := absolute(path)
	var out []string
	for i, re := range d.res {
		if re.MatchString(abs) {
			out = append(out, d.names[i])
		}
	}
	return out
}

// Select returns the paths of an artifact's manifest (as ListRelativePaths
// gives them) that staging with include, exclude and orphans keeps, in
// order, as Element.__compute_splits does:
//
//   - orphans with neither include nor exclude keeps every path unchanged;
//   - otherwise an empty include means every domain, and domains the element
//     does not have are dropped from include and exclude (so an include
//     naming only unknown domains keeps orphans alone);
//   - a path is kept if some included domain claims it and no excluded
//     domain does, or if orphans is true and no domain claims it; kept paths
//     lose their leading slashes.
func (d *Domains) Select(paths []string, include, exclude []string, orphans bool) []string {
	if orphans && len(include) == 0 && len(exclude) == 0 {
		return slices.Clone(paths)
	}
	if len(include) == 0 {
		include = d.names
	}
	incl := make([]bool, len(d.names))
	excl := make([]bool, len(d.names))
	for i, name := range d.names {
		incl[i] = slices.Contains(include, name)
		excl[i] = slices.Contains(exclude, name)
	}
	out := []string{}
	for _, p := range paths {
		abs := absolute(p)
		included, excluded, claimed := false, false, false
		for i, re := range d.res {
			if re.MatchString(abs) {
				claimed = true
				included = included || incl[i]
				excluded = excluded || excl[i]
			}
		}
		if orphans && !claimed {
			included = true
		}
		if included && !excluded {
			out = append(out, strings.TrimLeft(abs, "/"))
		}
	}
	return out
}

// Whitelisted reports whether path matches re (as built by Compile from an
// overlap-whitelist) either as given or with a leading "/", as
// Element.__file_is_whitelisted does.
func Whitelisted(re *regexp.Regexp, path string) bool {
	return re.MatchString(path) || re.MatchString(absolute(path))
}
