// Package docker is the `docker` source kind (bst-external in
// BuildStream 1, buildstream-plugins in BuildStream 2): an image from a
// registry speaking the Docker Registry HTTP API v2, named by the sha256
// digest of its manifest (the ref, without "sha256:").
//
// Tracking asks the registry for the manifest of the `track` tag; for a
// multi-platform manifest list it takes, as the plugins do, the first
// image whose architecture is `architecture` (default: the machine's,
// amd64 and arm64 spelt as Docker does) and whose os is set. The ref is
// that manifest's digest. Fetching gets the manifest by digest and each
// layer blob, verifies every digest, and keeps them in SourceDir/docker/
// as <digest>.manifest.json and <digest>.tar.gz, written only once
// complete and verified. Requests answer a registry's Bearer token
// challenge (Www-Authenticate: Bearer realm=...,service=...,scope=...)
// once per client, as the plugins do; they are made to each URL that
// SourceEnv.URLs gives for `registry-url` in turn.
//
// Staging merges the layers into the root file system: later layers
// replace earlier entries; whiteouts (".wh.<name>") remove a path and
// everything under it from the layers below, opaque whiteouts
// (".wh..wh..opq") empty their directory of what lower layers put there;
// device nodes, FIFOs and anything under dev/ are left out. BuildStream 2
// applies whiteouts (removing only the exact path a whiteout names);
// BuildStream 1 did not apply them at all and staged the whiteout files.
// Modes are the members' own in BuildStream 1; in BuildStream 2 0777
// less the umask for directories and owner-executable files, else 0666
// less the umask, then without group and other write (tarfile's "tar"
// filter).
//
// Beyond the plugins, OCI manifests, indexes and layers (gzip, zstd or
// uncompressed) are accepted, and a manifest answer without a
// Docker-Content-Digest header is checked against its own digest.
//
// It may import plugin, yamlnode, bsterr and the download, httpget and
// unpack helpers.
package docker
