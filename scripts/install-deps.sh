#!/usr/bin/env bash
# Installs the Debian packages bst's tests use, when they are missing.
set -euo pipefail
need=()
command -v bst >/dev/null 2>&1 && [ "$(bst --version 2>/dev/null)" = 1.6.8 ] || need+=(buildstream python3-bst-external)
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v git >/dev/null 2>&1 || need+=(git)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v patch >/dev/null 2>&1 || need+=(patch)
command -v lzip >/dev/null 2>&1 || need+=(lzip)
command -v ostree >/dev/null 2>&1 || need+=(ostree)
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
# internal/testbst/compile assembles its toolchain sysroot from Debian
# packages with apt-get and dpkg-deb: apt needs its package lists.
lists_missing() { ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; }
if [ ${#need[@]} -eq 0 ] && lists_missing; then
	$sudo apt-get update -qq
fi
if [ ${#need[@]} -gt 0 ]; then
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
