// Package pypi is the `pypi` source kind (bst-external in BuildStream 1,
// buildstream-plugins-community in BuildStream 2): one source
// distribution of a PyPI project, named by its ref {sha256sum, suffix},
// downloaded from the configured `url` (default
// https://files.pythonhosted.org/packages/) joined with the suffix.
//
// Tracking reads the project's JSON API (Source.Index + name + "/json",
// https://pypi.org/pypi/ by default, as the plugin hard-codes it) and
// picks, without include/exclude, the sdist of the version `info.version`
// names; with them, the newest release (by the upload time of its sdist)
// whose version an include pattern matches and no exclude pattern does
// (Python regular expressions matched at the start, as re.match). The
// suffix is the file's URL less https://files.pythonhosted.org/packages/
// (and, an extension, less the configured URL when the index serves
// files from it).
//
// Fetching downloads the file with the download helper (mirrors,
// retries, verification against sha256sum, nothing partial kept) into
// SourceDir/pypi/<URLDirectoryName(url + suffix)>/<sha256> (BuildStream
// keeps it under the project name instead). Staging unpacks it with its
// top directory stripped: a ".zip" suffix as a zip archive, anything else
// as a tarball.
//
// It may import plugin, yamlnode, bsterr and the download, httpget and
// unpack helpers.
package pypi
