#!/usr/bin/env bash
# bench-build.sh: time `bst build` with BuildStream 1.6.8 and with our bst on
# the synthetic projects of ../shared/bench, in the same run, and check the
# goals of issue 6:
#
#   cold build of 200 trivial elements: per-element overhead >= 5x lower
#   no-op build of 1000 cached elements: >= 20x faster
#
# Both tools build with one builder (the same user configuration), so the
# cold figure is the sum of per-element overheads.
#
# Usage: scripts/bench-build.sh (part of make bench)
#        BENCH_QUICK=1 scripts/bench-build.sh (fewer runs)
#        BENCH_ONLY=cold|noop scripts/bench-build.sh (one of the two builds)
# Environment: as scripts/bench.sh (BENCH_DIR, BUILDSTREAM, BST_BIN, BENCH_KEEP).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-$repo/../shared/bench}
buildstream=${BUILDSTREAM:-/usr/bin/bst}
quick=${BENCH_QUICK:-0}
only=${BENCH_ONLY:-}
cold_n=200 noop_n=1000
if [ "$quick" = 1 ]; then
	bs_runs=1 bst_runs=3
else
	bs_runs=3 bst_runs=5
fi

die() { echo "bench-build: $*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install -y hyperfine)"
command -v busybox >/dev/null || die "busybox not found (apt-get install -y busybox-static)"
command -v bwrap >/dev/null || die "bwrap not found (apt-get install -y bubblewrap)"
[ -x "$buildstream" ] || die "BuildStream not found at $buildstream (apt-get install -y buildstream)"
[ -f "$bench_dir/gen-synthetic.py" ] || die "no gen-synthetic.py in $bench_dir (set BENCH_DIR)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bst-bench-build.XXXXXX")
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench-build: kept $tmp" >&2
	else
		chmod -R u+w "$tmp" 2>/dev/null || true
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

if [ -n "${BST_BIN:-}" ]; then
	cp "$BST_BIN" "$tmp/bst"
else
	echo "== building bst"
	(cd "$repo" && go build -o "$tmp/bst" ./cmd/bst)
fi
mkdir -p "$tmp"/{home,xdg-cache,xdg-config,xdg-data,tmp,cmd,json,conf,proj,cache}
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/xdg-cache XDG_CONFIG_HOME=$tmp/xdg-config \
	XDG_DATA_HOME=$tmp/xdg-data TMPDIR=$tmp/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONHASHSEED=0

# setup TOOL NAME DIR: writes the user configuration (all caches under
# $tmp/cache/TOOL-NAME) and a script that builds all.bst; prints the script.
setup() {
	local tool=$1 name=$2 dir=$3 bin c conf script
	c=$tmp/cache/$tool-$name conf=$tmp/conf/$tool-$name.conf script=$tmp/cmd/$tool-$name.sh
	bin=$buildstream
	[ "$tool" = bst ] && bin=$tmp/bst
	{
		echo "sourcedir: $c/sources"
		echo "builddir: $c/build"
		echo "artifactdir: $c/artifacts"
		echo "logdir: $c/logs"
		[ "$tool" = bst ] && echo "cachedir: $c/cache"
		printf 'scheduler:\n  fetchers: 1\n  builders: 1\n  pushers: 1\n  network-retries: 0\n  on-error: quit\n'
	} >"$conf"
	printf '#!/bin/sh\ncd %q || exit 1\nexec %q -c %q --no-colors build all.bst >/dev/null 2>&1\n' "$dir" "$bin" "$conf" >"$script"
	chmod +x "$script"
	echo "$script"
}

generate() {
	local p=$tmp/proj/synthetic-$1
	echo "== generating synthetic-$1" >&2
	python3 "$bench_dir/gen-synthetic.py" "$p" "$1" >/dev/null
	cp "$(command -v busybox)" "$p/files/base/bin/busybox"
	for t in sh mkdir echo cat cp ls rm; do ln -sf busybox "$p/files/base/bin/$t"; done
	echo "$p"
}

measure() { # LABEL RUNS ARGS...: hyperfine into $tmp/json/LABEL.json
	local label=$1 runs=$2
	shift 2
	echo "== $label" >&2
	hyperfine -N --runs "$runs" --export-json "$tmp/json/$label.json" "$@" >&2 || rm -f "$tmp/json/$label.json"
}

# Cold builds: every run starts from empty caches.
[ "$only" = noop ] || p=$(generate $cold_n)
[ "$only" = noop ] || for tool in buildstream bst; do
	script=$(setup "$tool" cold "$p")
	runs=$bs_runs
	[ "$tool" = bst ] && runs=$bst_runs
	measure "$tool-cold" "$runs" --prepare "rm -rf $tmp/cache/$tool-cold" "$script"
done

# No-op builds: everything is built once, then built again.
[ "$only" = cold ] || p=$(generate $noop_n)
[ "$only" = cold ] || for tool in buildstream bst; do
	script=$(setup "$tool" noop "$p")
	echo "== $tool: building synthetic-$noop_n once" >&2
	"$script" || die "$tool could not build synthetic-$noop_n"
	runs=$bs_runs
	[ "$tool" = bst ] && runs=$bst_runs
	measure "$tool-noop" "$runs" --warmup 1 "$script"
done

echo
echo "BuildStream $("$buildstream" --version 2>/dev/null), bst $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores"
python3 - "$tmp/json" "$cold_n" "$noop_n" "$only" <<'EOF'
import json, os, sys

jsondir, cold_n, noop_n, only = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


def median(label):
    try:
        with open(os.path.join(jsondir, label + ".json")) as f:
            return json.load(f)["results"][0]["median"]
    except OSError:
        return None


rows = [("build", "BuildStream", "bst", "BuildStream/bst", "goal", "")]
failed = False
for name, n, goal, what in (("cold", cold_n, 5.0, "trivial elements, empty caches"),
                            ("noop", noop_n, 20.0, "cached elements")):
    if only and name != only:
        continue
    bs, ours = median("buildstream-" + name), median("bst-" + name)
    if bs is None or ours is None:
        rows.append(("%s %d" % (name, n), "ERR", "ERR", "ERR", ">=%.0fx" % goal, "FAIL"))
        failed = True
        continue
    r = bs / ours
    ok = r >= goal
    failed = failed or not ok
    rows.append(("%s %d %s" % (name, n, what), "%.2f s (%.1f ms/el)" % (bs, 1000 * bs / n),
                 "%.2f s (%.1f ms/el)" % (ours, 1000 * ours / n), "%.1fx" % r, ">=%.0fx" % goal,
                 "PASS" if ok else "FAIL"))
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print("Builds (wall medians, one builder each):")
for i, r in enumerate(rows):
    print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
    if i == 0:
        print("  ".join("-" * w for w in widths))
print()
print("build goals: %s" % ("some FAIL" if failed else "all PASS"))
EOF
