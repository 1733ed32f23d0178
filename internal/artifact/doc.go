// Package artifact holds BuildStream 2's artifact proto and the artifact
// cache: it maps an element's cache keys to artifacts, and artifacts to
// the CAS content they name (files, logs, public data, build trees).
//
// # The proto
//
// Artifact is buildstream.v2.Artifact (_protos/buildstream/v2/artifact.proto),
// encoded by hand with protowire (proto.go) with the proto's field numbers,
// in the canonical order the protobuf runtimes use, so BuildStream 2 and
// the servers it pushes to read our artifacts and we read theirs. The
// bytes of a fixed message are checked against testdata/artifact.golden,
// which testdata/golden.py writes with an independent, standard-library
// encoder.
//
// # Refs and layout
//
// An artifact is named as BuildStream names it (Name):
// "<project>/<normal name>/<key>", the normal name being the element name
// with "/" → "-", the extension dropped and characters outside
// [0-9A-Za-z-._] → "_". Commit writes a ref under the strong key and one
// under the weak key, as BuildStream 2 does; they are cas refs in the
// "artifacts" namespace, so the files are where BuildStream 2 keeps its
// refs: <cachedir>/artifacts/refs/<project>/<normal name>/<key>.
//
// The content of those files differs. BuildStream 2's ref file is the
// serialized Artifact, and buildbox-casd knows nothing of what it names, so
// casd's LRU expiry can remove an artifact's blobs under a live ref. Ours
// is a cas ref: the serialized REAPI Digest of a Directory, which the cas
// reference counts keep whole. That Directory wraps the artifact:
//
//	artifact.proto        the serialized Artifact
//	files/                Artifact.files
//	buildtree/            Artifact.buildtree   (if any)
//	buildroot/            Artifact.buildroot   (if any)
//	sources/              Artifact.sources     (if any)
//	logs/<name>           Artifact.logs
//	meta/public.yaml      Artifact.public_data
//	meta/low-diversity.yaml, meta/high-diversity.yaml
//	subsandboxes/<n>/     Artifact.buildsandbox.subsandbox_digests
//
// so one ref holds every digest the proto names, and the usual cas
// machinery applies unchanged: LRU expiry removes whole artifacts (never
// part of one), Expire's protect function keeps the artifacts a command
// uses (Protect), a process that looked an artifact up keeps it pinned
// even if another deletes it, and Repair can audit artifacts like any
// tree. The proto remains the interchange format: pushing an artifact
// sends artifact.proto's bytes (and the closure it names) to a Remote Asset
// server, as BuildStream 2 does; pulling one stores the proto and its
// content, then builds the same wrapper. An artifact cache written by
// BuildStream 2 itself is not read in place (its ref files are Artifact
// protos, ours Digests): the two tools do not share a cache directory.
//
// # Crash safety
//
// Commit stores all content first (trees with ImportTree, logs and
// metadata as blobs, then the wrapper Directory), all of it pinned by the
// cas session, and writes the refs last; cas.Local.SetRef replaces a ref
// file atomically (rename) after raising the tree's reference count. A
// process killed at any point leaves either no ref (its stored content is
// then garbage that the next Expire collects once the dead session is
// noticed) or refs to a complete artifact. Concurrent commits of the same
// key both store complete trees, and the ref ends up naming one of them.
//
// Imports: internal/cas, internal/digest and internal/bsterr; the REAPI
// protos and google.golang.org/protobuf/encoding/protowire from outside.
package artifact
