package artifact

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/encoding/protowire"

	"example.org/bst/internal/digest"
)

func repeat(c byte) string { return string(bytes.Repeat([]byte{c}, 64)) }

// goldenArtifact is the message testdata/golden.py encodes.
func goldenArtifact() *Artifact {
	d := func(s string) digest.Digest { return digest.NewFromBlob([]byte(s)) }
	return &Artifact{
		Version:           2,
		BuildError:        "Command failed",
		BuildErrorDetails: "exit code 1\nsee log",
		StrongKey:         repeat('a'),
		WeakKey:           repeat('b'),
		WasWorkspaced:     true,
		Files:             d("files-directory"),
		BuildDeps: []Dependency{
			{ProjectName: "proj", ElementName: "base/alpine.bst", CacheKey: repeat('c')},
			{ProjectName: "junction-proj", ElementName: "lib.bst", CacheKey: repeat('d'), WasWorkspaced: true},
		},
		PublicData:        d("public: data\n"),
		Logs:              []LogFile{{Name: "build.log", Digest: d("log line\n")}, {Name: "other.log", Digest: d("")}},
		Buildtree:         d("buildtree"),
		Sources:           d("sources"),
		LowDiversityMeta:  d("environment: {}\n"),
		HighDiversityMeta: d("variables: {}\n"),
		StrictKey:         repeat('e'),
		Buildroot:         d("buildroot"),
		Buildsandbox: &SandboxState{
			Environment:       []EnvironmentVariable{{"HOME", "/tmp"}, {"PATH", "/usr/bin:/bin"}},
			WorkingDirectory:  "/buildstream/proj/hello.bst",
			SubsandboxDigests: []digest.Digest{d("subsandbox")},
			MarkedDirectories: []string{"/buildstream-install", "/tmp"},
		},
	}
}

var cmpOpts = []cmp.Option{cmp.AllowUnexported(Artifact{}, digest.Digest{})}

// TestGolden compares Marshal with the bytes testdata/golden.py encodes by
// hand from artifact.proto (regenerate with python3 testdata/golden.py).
func TestGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/artifact.golden")
	if err != nil {
		t.Fatal(err)
	}
	got := goldenArtifact().Marshal()
	if !bytes.Equal(got, want) {
		t.Errorf("Marshal differs from testdata/artifact.golden:\ngot  %x\nwant %x", got, want)
	}
	a, err := Unmarshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(goldenArtifact(), a, cmpOpts...); diff != "" {
		t.Errorf("Unmarshal(golden) (-want +got):\n%s", diff)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, a := range map[string]*Artifact{
		"empty":         {},
		"golden":        goldenArtifact(),
		"success":       {Version: 2, BuildSuccess: true, StrongKey: repeat('1'), Files: digest.Empty()},
		"negative":      {Version: -1},
		"empty sandbox": {Version: 2, Buildsandbox: &SandboxState{}},
	} {
		t.Run(name, func(t *testing.T) {
			b := a.Marshal()
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, got, cmpOpts...); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			if b2 := got.Marshal(); !bytes.Equal(b, b2) {
				t.Errorf("re-Marshal differs:\n%x\n%x", b, b2)
			}
		})
	}
}

func TestEmptySandboxIsPresent(t *testing.T) {
	// HasField("buildsandbox") must survive: an empty message is written
	// (tag 18, length-delimited: 0x92 0x01, then length 0).
	b := (&Artifact{Buildsandbox: &SandboxState{}}).Marshal()
	if want := []byte{0x92, 0x01, 0x00}; !bytes.Equal(b, want) {
		t.Errorf("got %x, want %x", b, want)
	}
}

// TestUnknownFields: fields of a later artifact.proto are kept and written
// back, so rewriting an artifact loses nothing.
func TestUnknownFields(t *testing.T) {
	b := (&Artifact{Version: 2, StrongKey: "k"}).Marshal()
	extra := protowire.AppendTag(nil, 99, protowire.BytesType)
	extra = protowire.AppendString(extra, "future")
	extra = protowire.AppendTag(extra, 100, protowire.Fixed32Type)
	extra = protowire.AppendFixed32(extra, 7)
	b = append(b, extra...)
	a, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.StrongKey != "k" || a.Version != 2 {
		t.Errorf("known fields lost: %+v", a)
	}
	if got := a.Marshal(); !bytes.Equal(got, b) {
		t.Errorf("unknown fields not kept:\n%x\n%x", got, b)
	}
}

func TestUnmarshalMergesAndRejects(t *testing.T) {
	// A singular field twice: the last wins; a Digest twice: merged.
	var b []byte
	b = appendString(b, fStrongKey, "first")
	b = appendString(b, fStrongKey, "second")
	d := digest.NewFromBlob([]byte("x"))
	b = appendMessage(b, fFiles, appendString(nil, 1, d.Hash()))
	b = appendMessage(b, fFiles, appendVarint(nil, 2, uint64(d.SizeBytes())))
	a, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.StrongKey != "second" || a.Files != d {
		t.Errorf("got %q %v", a.StrongKey, a.Files)
	}
	for _, bad := range [][]byte{
		{0x0a},             // truncated tag+length
		{0x42, 0x05, 0x0a}, // files: length past the end
		appendMessage(nil, fFiles, appendString(nil, 1, "not-hex")),
	} {
		if _, err := Unmarshal(bad); err == nil {
			t.Errorf("Unmarshal(%x) succeeded", bad)
		}
	}
}
