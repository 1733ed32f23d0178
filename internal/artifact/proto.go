package artifact

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"

	"example.org/bst/internal/digest"
)

// This file is a hand-written port of BuildStream 2's
// src/buildstream/_protos/buildstream/v2/artifact.proto (message
// buildstream.v2.Artifact). The field numbers and wire types are those of
// the proto, so BuildStream 2 (and artifact servers that read the
// artifacts it pushes) decode what Marshal writes, and Unmarshal reads what
// BuildStream 2 writes. Marshal writes fields in field-number order and
// leaves out proto3 defaults, as the protobuf runtimes do, so the bytes
// match theirs; unknown fields are kept and written back after the known
// ones.

// Version is the Artifact.version BuildStream 2 writes (_artifact.py).
const Version = 2

// Field numbers of buildstream.v2.Artifact.
const (
	fVersion           = 1
	fBuildSuccess      = 2
	fBuildError        = 3
	fBuildErrorDetails = 4
	fStrongKey         = 5
	fWeakKey           = 6
	fWasWorkspaced     = 7
	fFiles             = 8
	fBuildDeps         = 9
	fPublicData        = 10
	fLogs              = 11
	fBuildtree         = 12
	fSources           = 13
	fLowDiversityMeta  = 14
	fHighDiversityMeta = 15
	fStrictKey         = 16
	fBuildroot         = 17
	fBuildsandbox      = 18
)

// Artifact is buildstream.v2.Artifact. A zero digest.Digest is an absent
// Digest field; a nil Buildsandbox an absent SandboxState.
type Artifact struct {
	Version           int32
	BuildSuccess      bool
	BuildError        string
	BuildErrorDetails string
	StrongKey         string
	WeakKey           string
	WasWorkspaced     bool
	Files             digest.Digest // a Directory
	BuildDeps         []Dependency
	PublicData        digest.Digest // a YAML file
	Logs              []LogFile
	Buildtree         digest.Digest // a Directory, optional
	Sources           digest.Digest // a Directory, optional
	LowDiversityMeta  digest.Digest // a YAML file {environment, sandbox-config}
	HighDiversityMeta digest.Digest // a YAML file {variables}
	StrictKey         string
	Buildroot         digest.Digest // a Directory, optional
	Buildsandbox      *SandboxState // optional

	unknown []byte // fields this port does not know, kept as read
}

// Dependency is Artifact.Dependency, one build dependency.
type Dependency struct {
	ProjectName   string
	ElementName   string
	CacheKey      string
	WasWorkspaced bool
}

// LogFile is Artifact.LogFile.
type LogFile struct {
	Name   string
	Digest digest.Digest // a file
}

// SandboxState is Artifact.SandboxState.
type SandboxState struct {
	Environment       []EnvironmentVariable
	WorkingDirectory  string
	SubsandboxDigests []digest.Digest
	MarkedDirectories []string
}

// EnvironmentVariable is REAPI Command.EnvironmentVariable.
type EnvironmentVariable struct {
	Name, Value string
}

// Marshal returns the wire encoding of a.
func (a *Artifact) Marshal() []byte {
	var b []byte
	b = appendVarint(b, fVersion, uint64(int64(a.Version))) // int32: sign-extended
	b = appendBool(b, fBuildSuccess, a.BuildSuccess)
	b = appendString(b, fBuildError, a.BuildError)
	b = appendString(b, fBuildErrorDetails, a.BuildErrorDetails)
	b = appendString(b, fStrongKey, a.StrongKey)
	b = appendString(b, fWeakKey, a.WeakKey)
	b = appendBool(b, fWasWorkspaced, a.WasWorkspaced)
	b = appendDigest(b, fFiles, a.Files)
	for _, d := range a.BuildDeps {
		var m []byte
		m = appendString(m, 1, d.ProjectName)
		m = appendString(m, 2, d.ElementName)
		m = appendString(m, 3, d.CacheKey)
		m = appendBool(m, 4, d.WasWorkspaced)
		b = appendMessage(b, fBuildDeps, m)
	}
	b = appendDigest(b, fPublicData, a.PublicData)
	for _, l := range a.Logs {
		var m []byte
		m = appendString(m, 1, l.Name)
		m = appendDigest(m, 2, l.Digest)
		b = appendMessage(b, fLogs, m)
	}
	b = appendDigest(b, fBuildtree, a.Buildtree)
	b = appendDigest(b, fSources, a.Sources)
	b = appendDigest(b, fLowDiversityMeta, a.LowDiversityMeta)
	b = appendDigest(b, fHighDiversityMeta, a.HighDiversityMeta)
	b = appendString(b, fStrictKey, a.StrictKey)
	b = appendDigest(b, fBuildroot, a.Buildroot)
	if s := a.Buildsandbox; s != nil {
		var m []byte
		for _, e := range s.Environment {
			var em []byte
			em = appendString(em, 1, e.Name)
			em = appendString(em, 2, e.Value)
			m = appendMessage(m, 1, em)
		}
		m = appendString(m, 2, s.WorkingDirectory)
		for _, d := range s.SubsandboxDigests {
			m = appendMessage(m, 3, digestBytes(d))
		}
		for _, d := range s.MarkedDirectories {
			m = protowire.AppendTag(m, 4, protowire.BytesType)
			m = protowire.AppendString(m, d)
		}
		b = appendMessage(b, fBuildsandbox, m)
	}
	return append(b, a.unknown...)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendBool(b []byte, num protowire.Number, v bool) []byte {
	return appendVarint(b, num, protowire.EncodeBool(v))
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// digestBytes encodes an REAPI Digest {hash = 1, size_bytes = 2}.
func digestBytes(d digest.Digest) []byte {
	var m []byte
	m = appendString(m, 1, d.Hash())
	return appendVarint(m, 2, uint64(d.SizeBytes()))
}

func appendDigest(b []byte, num protowire.Number, d digest.Digest) []byte {
	if d.IsZero() {
		return b
	}
	return appendMessage(b, num, digestBytes(d))
}

// Unmarshal decodes an Artifact. As protobuf parsers do, a singular field
// seen twice takes the last value (messages are merged) and unknown fields
// are kept.
func Unmarshal(b []byte) (*Artifact, error) {
	a := &Artifact{}
	err := walkFields(b, func(num protowire.Number, typ protowire.Type, v uint64, m []byte, raw []byte) error {
		var err error
		switch {
		case num == fVersion && typ == protowire.VarintType:
			a.Version = int32(v)
		case num == fBuildSuccess && typ == protowire.VarintType:
			a.BuildSuccess = v != 0
		case num == fBuildError && typ == protowire.BytesType:
			a.BuildError = string(m)
		case num == fBuildErrorDetails && typ == protowire.BytesType:
			a.BuildErrorDetails = string(m)
		case num == fStrongKey && typ == protowire.BytesType:
			a.StrongKey = string(m)
		case num == fWeakKey && typ == protowire.BytesType:
			a.WeakKey = string(m)
		case num == fWasWorkspaced && typ == protowire.VarintType:
			a.WasWorkspaced = v != 0
		case num == fFiles && typ == protowire.BytesType:
			a.Files, err = mergeDigest(a.Files, m)
		case num == fBuildDeps && typ == protowire.BytesType:
			var d Dependency
			err = walkFields(m, func(num protowire.Number, typ protowire.Type, v uint64, m, _ []byte) error {
				switch {
				case num == 1 && typ == protowire.BytesType:
					d.ProjectName = string(m)
				case num == 2 && typ == protowire.BytesType:
					d.ElementName = string(m)
				case num == 3 && typ == protowire.BytesType:
					d.CacheKey = string(m)
				case num == 4 && typ == protowire.VarintType:
					d.WasWorkspaced = v != 0
				}
				return nil
			})
			a.BuildDeps = append(a.BuildDeps, d)
		case num == fPublicData && typ == protowire.BytesType:
			a.PublicData, err = mergeDigest(a.PublicData, m)
		case num == fLogs && typ == protowire.BytesType:
			var l LogFile
			err = walkFields(m, func(num protowire.Number, typ protowire.Type, v uint64, m, _ []byte) error {
				var err error
				switch {
				case num == 1 && typ == protowire.BytesType:
					l.Name = string(m)
				case num == 2 && typ == protowire.BytesType:
					l.Digest, err = mergeDigest(l.Digest, m)
				}
				return err
			})
			a.Logs = append(a.Logs, l)
		case num == fBuildtree && typ == protowire.BytesType:
			a.Buildtree, err = mergeDigest(a.Buildtree, m)
		case num == fSources && typ == protowire.BytesType:
			a.Sources, err = mergeDigest(a.Sources, m)
		case num == fLowDiversityMeta && typ == protowire.BytesType:
			a.LowDiversityMeta, err = mergeDigest(a.LowDiversityMeta, m)
		case num == fHighDiversityMeta && typ == protowire.BytesType:
			a.HighDiversityMeta, err = mergeDigest(a.HighDiversityMeta, m)
		case num == fStrictKey && typ == protowire.BytesType:
			a.StrictKey = string(m)
		case num == fBuildroot && typ == protowire.BytesType:
			a.Buildroot, err = mergeDigest(a.Buildroot, m)
		case num == fBuildsandbox && typ == protowire.BytesType:
			if a.Buildsandbox == nil {
				a.Buildsandbox = &SandboxState{}
			}
			err = a.Buildsandbox.merge(m)
		default:
			a.unknown = append(a.unknown, raw...)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("invalid buildstream.v2.Artifact: %w", err)
	}
	return a, nil
}

func (s *SandboxState) merge(b []byte) error {
	return walkFields(b, func(num protowire.Number, typ protowire.Type, v uint64, m, _ []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			var e EnvironmentVariable
			if err := walkFields(m, func(num protowire.Number, typ protowire.Type, v uint64, m, _ []byte) error {
				switch {
				case num == 1 && typ == protowire.BytesType:
					e.Name = string(m)
				case num == 2 && typ == protowire.BytesType:
					e.Value = string(m)
				}
				return nil
			}); err != nil {
				return err
			}
			s.Environment = append(s.Environment, e)
		case num == 2 && typ == protowire.BytesType:
			s.WorkingDirectory = string(m)
		case num == 3 && typ == protowire.BytesType:
			d, err := mergeDigest(digest.Digest{}, m)
			if err != nil {
				return err
			}
			s.SubsandboxDigests = append(s.SubsandboxDigests, d)
		case num == 4 && typ == protowire.BytesType:
			s.MarkedDirectories = append(s.MarkedDirectories, string(m))
		}
		return nil
	})
}

// mergeDigest decodes an REAPI Digest into (a copy of) d.
func mergeDigest(d digest.Digest, b []byte) (digest.Digest, error) {
	hash, size := d.Hash(), d.SizeBytes()
	if d.IsZero() {
		hash, size = "", 0
	}
	err := walkFields(b, func(num protowire.Number, typ protowire.Type, v uint64, m, _ []byte) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			hash = string(m)
		case num == 2 && typ == protowire.VarintType:
			size = int64(v)
		}
		return nil
	})
	if err != nil {
		return digest.Digest{}, err
	}
	if hash == "" && size == 0 {
		// A present but empty Digest message: BuildStream reads it as
		// "no digest" too (the hash is what it uses).
		return digest.Digest{}, nil
	}
	return digest.New(hash, size)
}

// walkFields calls fn for each field of the message b: its number and type,
// the value of a varint, the content of a length-delimited field, and the
// field's raw bytes (tag included).
func walkFields(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, m []byte, raw []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		if num > protowire.MaxValidNumber {
			return fmt.Errorf("invalid field number %d", num)
		}
		var v uint64
		var m []byte
		var vn int
		switch typ {
		case protowire.VarintType:
			v, vn = protowire.ConsumeVarint(b[n:])
		case protowire.BytesType:
			m, vn = protowire.ConsumeBytes(b[n:])
		default:
			vn = protowire.ConsumeFieldValue(num, typ, b[n:])
		}
		if vn < 0 {
			return protowire.ParseError(vn)
		}
		raw := b[:n+vn]
		if err := fn(num, typ, v, m, raw); err != nil {
			return err
		}
		b = b[n+vn:]
	}
	return nil
}
