package stream

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"example.org/bst/internal/artifact"
	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/cas"
	"example.org/bst/internal/digest"
	"example.org/bst/internal/element"
	"example.org/bst/internal/splitrules"
)

// overlaps collects, while artifacts are staged one after the other into
// one directory, the files a later element overwrites: BuildStream's
// overlap collector. Each staged element's non-directory files are
// recorded; a file staged again is an overlap, listed with every element
// that staged it, bottom first.
type overlaps struct {
	written map[string]*element.Element // path -> first element that staged it
	order   []string                    // overlapping paths, in the order found
	stagers map[string][]*element.Element

	mu      sync.Mutex
	ignored []ignoredFiles // files not staged over non-empty directories
}

// ignoredFiles are the files of one element that were not staged.
type ignoredFiles struct {
	e     *element.Element
	paths []string
}

// ignore returns the callback that records d's files not staged.
func (o *overlaps) ignore(d *element.Element) func(string) {
	return func(rel string) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if n := len(o.ignored); n == 0 || o.ignored[n-1].e != d {
			o.ignored = append(o.ignored, ignoredFiles{e: d})
		}
		last := &o.ignored[len(o.ignored)-1]
		last.paths = append(last.paths, rel)
	}
}

func newOverlaps() *overlaps {
	return &overlaps{written: map[string]*element.Element{}, stagers: map[string][]*element.Element{}}
}

// staged records the files (slash-separated, relative to the staging
// root) that d staged.
func (o *overlaps) staged(d *element.Element, files []string) {
	for _, f := range files {
		first, ok := o.written[f]
		if !ok {
			o.written[f] = d
			continue
		}
		if _, seen := o.stagers[f]; !seen {
			o.order = append(o.order, f)
			o.stagers[f] = []*element.Element{first}
		}
		o.stagers[f] = append(o.stagers[f], d)
	}
}

// artifactFiles lists the non-directory entries of a's files (once per
// tree in a session; callers must not modify the list).
func (s *Session) artifactFiles(ctx context.Context, ac *artifact.Cache, a *artifact.Artifact) ([]string, error) {
	if a.Files.IsZero() {
		return nil, nil
	}
	s.artMu.Lock()
	files, ok := s.artFiles[a.Files]
	s.artMu.Unlock()
	if ok {
		return files, nil
	}
	out, err := listArtifactFiles(ctx, ac, a)
	if err != nil {
		return nil, err
	}
	s.artMu.Lock()
	if s.artFiles == nil {
		s.artFiles = map[digest.Digest][]string{}
	}
	s.artFiles[a.Files] = out
	s.artMu.Unlock()
	return out, nil
}

// lookupArtifact is ac.Lookup of d's artifact under its strong key; an
// artifact found is remembered for the session (refs name immutable
// artifacts).
func (s *Session) lookupArtifact(ctx context.Context, ac *artifact.Cache, d *element.Element) (*artifact.Artifact, bool, error) {
	key := d.Project.Name + "/" + d.Name + "/" + d.Keys.Strong.String()
	s.artMu.Lock()
	a, ok := s.artFound[key]
	s.artMu.Unlock()
	if ok {
		return a, true, nil
	}
	a, ok, err := ac.Lookup(ctx, d.Project.Name, d.Name, d.Keys.Strong.String())
	if err != nil || !ok {
		return a, ok, err
	}
	if !a.BuildSuccess {
		return nil, false, nil // a failed build is nothing to stage
	}
	s.artMu.Lock()
	if s.artFound == nil {
		s.artFound = map[string]*artifact.Artifact{}
	}
	s.artFound[key] = a
	s.artMu.Unlock()
	return a, true, nil
}

// listArtifactFiles walks a's files tree for its non-directory entries.
func listArtifactFiles(ctx context.Context, ac *artifact.Cache, a *artifact.Artifact) ([]string, error) {
	var out []string
	err := cas.Walk(ctx, ac.CAS(), a.Files, func(en cas.Entry) error {
		if en.Type != cas.DirectoryEntry {
			out = append(out, en.Path)
		}
		return nil
	})
	return out, err
}

// report issues the "overlaps" warning of e, which staged the artifacts,
// for overlaps that an overlapping element's overlap-whitelist does not
// allow; it is an error when the project makes the warning fatal.
func (o *overlaps) report(e *element.Element, s *Session, log io.Writer) error {
	if err := o.reportIgnored(e, s, log); err != nil {
		return err
	}
	if len(o.order) == 0 {
		return nil
	}
	var detail strings.Builder
	detail.WriteString("Staged files overwrite existing files in staging area:")
	if e.Project.Gen != 1 {
		detail.WriteString(" /")
	}
	detail.WriteString("\n")
	warn := false
	for _, f := range o.order {
		elems := o.stagers[f]
		var forbidden []string
		for _, d := range elems[1:] {
			ok, err := whitelisted(d, f)
			if err != nil {
				return err
			}
			if !ok {
				forbidden = append(forbidden, d.FullName)
			}
		}
		if len(forbidden) == 0 {
			continue
		}
		warn = true
		verb := "is"
		if len(forbidden) > 1 {
			verb = "are"
		}
		order := make([]string, len(elems))
		for i, d := range elems {
			order[len(elems)-1-i] = d.FullName
		}
		fmt.Fprintf(&detail, "/%s: %s %s not permitted to overlap other elements, order %s \n",
			f, strings.Join(forbidden, " and "), verb, strings.Join(order, " above "))
	}
	if !warn {
		return nil
	}
	return s.warn(e, "overlaps", "Non-whitelisted overlaps detected", detail.String(), log)
}

// reportIgnored warns about the files that were not staged because they
// would have replaced non-empty directories (1.6's "Ignored files", 2.x's
// configurable unstaged-files warning).
func (o *overlaps) reportIgnored(e *element.Element, s *Session, log io.Writer) error {
	if len(o.ignored) == 0 {
		return nil
	}
	var detail strings.Builder
	if e.Project.Gen == 1 {
		detail.WriteString("Not staging files which would replace non-empty directories:\n")
	} else {
		detail.WriteString("Not staging files which would replace non-empty directories in staging area: /\n")
	}
	for _, ig := range o.ignored {
		slices.Sort(ig.paths)
		fmt.Fprintf(&detail, "\nFrom %s:\n", ig.e.FullName)
		for _, p := range ig.paths {
			fmt.Fprintf(&detail, "  /%s\n", p)
		}
	}
	if e.Project.Gen == 1 {
		if log != nil {
			fmt.Fprintf(log, "WARNING Ignored files\n%s", detail.String())
		}
		s.message("WARNING", "build", e, 0, "Ignored files\n"+strings.TrimRight(detail.String(), "\n"))
		return nil
	}
	return s.warn(e, "unstaged-files", "Not staging files which would have replaced non-empty directories", detail.String(), log)
}

// whitelisted reports whether d's public bst.overlap-whitelist allows it
// to overwrite file (BuildStream 1 matches the path with and without a
// leading "/", BuildStream 2 only with it).
func whitelisted(d *element.Element, file string) (bool, error) {
	if d.Public == nil {
		return false, nil
	}
	bst, _ := d.Public.MappingAt("bst")
	if bst == nil || bst.Get("overlap-whitelist") == nil {
		return false, nil
	}
	globs, err := bst.StringList("overlap-whitelist")
	if err != nil {
		return false, err
	}
	for i, g := range globs {
		if globs[i], err = d.Vars.Expand(strings.TrimSpace(g), *bst.Get("overlap-whitelist").Pos()); err != nil {
			return false, err
		}
	}
	re, err := splitrules.Compile(globs)
	if err != nil {
		return false, bsterr.Element(bsterr.InvalidData, bst.Get("overlap-whitelist").Pos(), "%s: bad overlap-whitelist: %v", d.FullName, err)
	}
	abs := path.Join("/", file)
	if d.Project.Gen == 1 {
		return splitrules.Whitelisted(re, file), nil
	}
	return re.MatchString(abs), nil
}

// warn issues a configurable warning of e: a WARNING message (and a line
// in the log), or an error with the warning's name as its reason when the
// project lists it in fatal-warnings.
func (s *Session) warn(e *element.Element, token, brief, detail string, log io.Writer) error {
	brief = "[" + token + "]: " + brief
	if e.Project.FatalWarning(token) {
		return bsterr.Plugin(bsterr.Reason(token), nil, "%s: %s", e.FullName, brief).WithDetail("%s", strings.TrimRight(detail, "\n"))
	}
	if log != nil {
		fmt.Fprintf(log, "WARNING %s\n%s", brief, detail)
	}
	s.message("WARNING", "build", e, 0, brief+"\n"+strings.TrimRight(detail, "\n"))
	return nil
}
