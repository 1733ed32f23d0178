package cpan_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"example.org/bst/internal/bsterr"
	"example.org/bst/internal/plugins/sources/cpan"
	"example.org/bst/internal/plugins/sources/download"
	"example.org/bst/internal/plugins/sources/download/downloadtest"
	. "example.org/bst/internal/plugins/sources/unpack/unpacktest"
	"example.org/bst/internal/yamlnode"
)

const packages = `File:         02packages.details.txt
Description:  Package names found in directory $CPAN/authors/id/
Line-Count:   3

Module::Build                      0.4234  L/LE/LEONT/Module-Build-0.4234.tar.gz
XML::Parser                          2.47  T/TO/TODDR/XML-Parser-2.47.tar.gz
XML::Parser::Expat                   2.47  T/TO/TODDR/XML-Parser-2.47.tar.gz
Zip::Dist                           undef  Z/ZZ/ZIP/Zip-Dist-1.0.zip
`

func serveCPAN(t *testing.T) (*downloadtest.Server, []byte) {
	dist := TarGz(t,
		Entry{Name: "XML-Parser-2.47/"},
		Entry{Name: "XML-Parser-2.47/Makefile.PL", Body: "use ExtUtils::MakeMaker;\n", Mode: 0o755},
		Entry{Name: "XML-Parser-2.47/Parser.pm", Body: "package XML::Parser;\n"},
	)
	srv := downloadtest.Serve(t, map[string][]byte{
		"/modules/02packages.details.txt.gz":            Gzip(t, []byte(packages)),
		"/authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz": dist,
		"/authors/id/Z/ZZ/ZIP/Zip-Dist-1.0.zip":         Zip(t, Entry{Name: "Zip-Dist-1.0/lib/Z.pm", Body: "1;\n"}),
	})
	return srv, dist
}

func newSource(t *testing.T, gen int, config string) *cpan.Source {
	t.Helper()
	src, err := cpan.New(downloadtest.Spec(t, "cpan", gen, t.TempDir(), config))
	if err != nil {
		t.Fatal(err)
	}
	s := src.(*cpan.Source)
	s.Backoff = func(int) time.Duration { return 0 }
	return s
}

func refMap(t *testing.T, n yamlnode.Node) map[string]string {
	t.Helper()
	m, ok := n.(*yamlnode.Mapping)
	if !ok {
		t.Fatalf("ref %#v is not a mapping", n)
	}
	out := map[string]string{}
	for i, k := range m.Keys {
		out[k] = m.Vals[i].(*yamlnode.Scalar).Str()
	}
	return out
}

const staged = "Makefile.PL file 0755 \"use ExtUtils::MakeMaker;\\n\"\nParser.pm file 0644 \"package XML::Parser;\\n\""

func TestTrackFetchStage1(t *testing.T) {
	srv, dist := serveCPAN(t)
	env := downloadtest.Env(t)
	s := newSource(t, 1, "name: XML::Parser\nindex: "+srv.URL+"/\n")
	if s.Ref() != nil || s.Cached(env) {
		t.Fatal("ref before tracking")
	}
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"url": srv.URL + "/authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz", "sha256sum": downloadtest.SHA256(dist)}
	if got := refMap(t, ref); got["url"] != want["url"] || got["sha256sum"] != want["sha256sum"] || len(got) != 2 {
		t.Errorf("tracked %v, want %v", got, want)
	}
	s.SetRef(ref)
	if !s.Cached(env) {
		t.Error("tracking did not keep the download")
	}
	n := len(srv.Requests())
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != n {
		t.Error("fetch of a cached distribution downloaded it again")
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatal(err)
	}
	if got := downloadtest.Snapshot(t, dir); got != staged {
		t.Errorf("staged:\n%s\nwant:\n%s", got, staged)
	}
	if k := s.RefKeys(); strings.Join(k, ",") != "url,sha256sum" {
		t.Errorf("RefKeys %v", k)
	}
}

func TestDefaultIndexWritesCPANAlias(t *testing.T) {
	srv, _ := serveCPAN(t)
	env := downloadtest.Env(t)
	env.URLs = func(u string) []string {
		u = strings.Replace(u, cpan.DefaultIndex, srv.URL+"/", 1)
		return []string{strings.Replace(u, "cpan:", srv.URL+"/", 1)}
	}
	s := newSource(t, 1, "name: XML::Parser::Expat\n")
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := refMap(t, ref)["url"]; got != "cpan:authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz" {
		t.Errorf("url %s", got)
	}
}

func TestGen2SuffixAndZip(t *testing.T) {
	srv, dist := serveCPAN(t)
	env := downloadtest.Env(t)
	env.URLs = func(u string) []string { return []string{strings.Replace(u, "cpan:", srv.URL+"/", 1)} }
	s := newSource(t, 2, "name: XML::Parser\nindex: 'cpan:'\n")
	ref, err := s.Track(context.Background(), env, "")
	if err != nil {
		t.Fatal(err)
	}
	got := refMap(t, ref)
	if got["suffix"] != "authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz" || got["sha256sum"] != downloadtest.SHA256(dist) {
		t.Errorf("tracked %v", got)
	}
	// A configured ref, with a zip distribution.
	zipData := srv.Files["/authors/id/Z/ZZ/ZIP/Zip-Dist-1.0.zip"]
	s = newSource(t, 2, "name: Zip::Dist\nindex: 'cpan:'\nsuffix: authors/id/Z/ZZ/ZIP/Zip-Dist-1.0.zip\nsha256sum: "+downloadtest.SHA256(zipData)+"\n")
	if s.Ref() == nil {
		t.Fatal("configured ref not read")
	}
	if err := s.Fetch(context.Background(), env, ""); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Stage(context.Background(), env, dir); err != nil {
		t.Fatal(err)
	}
	if got := downloadtest.Snapshot(t, dir); got != "lib dir 0755\nlib/Z.pm file 0644 \"1;\\n\"" {
		t.Errorf("staged %s", got)
	}
}

func TestErrors(t *testing.T) {
	srv, _ := serveCPAN(t)
	env := downloadtest.Env(t)
	if _, err := cpan.New(downloadtest.Spec(t, "cpan", 1, t.TempDir(), "index: x\n")); bsterr.ReasonOf(err) != cpan.MissingName {
		t.Errorf("no name: %v", err)
	}
	s := newSource(t, 1, "name: No::Such\nindex: "+srv.URL+"/\n")
	if _, err := s.Track(context.Background(), env, ""); bsterr.ReasonOf(err) != cpan.NotInIndex {
		t.Errorf("unknown module: %v", err)
	}
	bad := strings.Repeat("1", 64)
	s = newSource(t, 1, "name: XML::Parser\nurl: "+srv.URL+"/authors/id/T/TO/TODDR/XML-Parser-2.47.tar.gz\nsha256sum: "+bad+"\n")
	if err := s.Fetch(context.Background(), env, ""); bsterr.ReasonOf(err) != download.ChecksumMismatch {
		t.Errorf("bad checksum: %v", err)
	}
	if s.Cached(env) {
		t.Error("cached after a mismatch")
	}
	s = newSource(t, 1, "name: XML::Parser\nindex: "+srv.URL+"/nothing/\n")
	_, err := s.Track(context.Background(), env, "")
	if bsterr.ReasonOf(err) != "request-failed" {
		t.Errorf("missing index: %v", err)
	}
}
