// Package userconfig loads the user's buildstream.conf (both generations'
// keys): cache and log directories, scheduler limits, logging formats and
// per-project overrides (options, strict, default mirror).
//
// It imports only yamlnode and bsterr.
package userconfig
