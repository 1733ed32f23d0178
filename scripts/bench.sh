#!/usr/bin/env bash
# bench.sh: time `bst show --deps all` with BuildStream 1.6.8 and with our bst
# on synthetic projects (1000 and 5000 elements) and on freedesktop-sdk-22.08.21,
# next to a "parse only" floor (internal/tools/yamlparse), and check the goals:
#
#   speed-up over BuildStream   >= 50x         (every row)
#   bst time / parse-only time  <= 3x          (every row)
#   bst peak RSS                <  200 MB      (synthetic-5000)
#
# Usage: scripts/bench.sh            (make bench)
#        BENCH_QUICK=1 scripts/bench.sh   (synthetic-1000 only, fewer runs)
#        BENCH_ONLY="1000 fdsdk" scripts/bench.sh (some of: 1000 5000 fdsdk)
#
# Environment: BENCH_DIR (gen-synthetic.py; default ../shared/bench),
# BST_CORPUS_DIR (default ../shared/corpus), BUILDSTREAM (default /usr/bin/bst),
# BST_BIN (a bst binary to use instead of building ./cmd/bst),
# BENCH_KEEP=1 keeps the temporary directory. Everything both tools write
# (HOME, XDG dirs, caches, logs) goes into one temporary directory.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-$repo/../shared/bench}
corpus_dir=${BST_CORPUS_DIR:-$repo/../shared/corpus}
buildstream=${BUILDSTREAM:-/usr/bin/bst}
quick=${BENCH_QUICK:-0}
fdsdk=freedesktop-sdk-22.08.21

if [ "$quick" = 1 ]; then
	sizes=(1000)
	bs_runs=2 bst_runs=5 parse_runs=5
else
	sizes=(1000 5000)
	bs_runs=3 bst_runs=10 parse_runs=10
fi

die() { echo "bench: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || die "$1 not found (apt-get install -y $2)"; }
need hyperfine hyperfine
need busybox busybox-static
need python3 python3
need go golang
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install -y time)"
[ -x "$buildstream" ] || die "BuildStream not found at $buildstream (apt-get install -y buildstream python3-bst-external)"
[ -f "$bench_dir/gen-synthetic.py" ] || die "no gen-synthetic.py in $bench_dir (set BENCH_DIR)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bst-bench.XXXXXX")
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $tmp" >&2
	else
		chmod -R u+w "$tmp" 2>/dev/null || true
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

echo "== building bst and yamlparse"
(cd "$repo" && go build -o "$tmp/yamlparse" ./internal/tools/yamlparse)
if [ -n "${BST_BIN:-}" ]; then
	cp "$BST_BIN" "$tmp/bst"
else
	(cd "$repo" && go build -o "$tmp/bst" ./cmd/bst)
fi

# An isolated environment for both tools. Stub lzip and ostree first on PATH:
# BuildStream's tar and ostree sources look for them at preflight (the corpus
# goldens were made the same way).
mkdir -p "$tmp"/{home,xdg-cache,xdg-config,xdg-data,tmp,bin,cmd,json,log,conf,proj}
export HOME=$tmp/home XDG_CACHE_HOME=$tmp/xdg-cache XDG_CONFIG_HOME=$tmp/xdg-config \
	XDG_DATA_HOME=$tmp/xdg-data TMPDIR=$tmp/tmp LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONHASHSEED=0
for tool in lzip ostree; do
	printf '#!/bin/sh\necho "dummy shim for bst show preflight" >&2; exit 1\n' >"$tmp/bin/$tool"
	chmod +x "$tmp/bin/$tool"
done
export PATH=$tmp/bin:$PATH

# user_config TOOL PROJECT: a BuildStream 1 user configuration with its
# caches in the temporary directory, one per tool and project.
user_config() {
	local c=$tmp/cache/$1-$2 conf=$tmp/conf/$1-$2.conf
	cat >"$conf" <<-EOF
		sourcedir: $c/sources
		builddir: $c/build
		artifactdir: $c/artifacts
		logdir: $c/logs
		scheduler:
		  fetchers: 1
		  builders: 1
		  pushers: 1
		  network-retries: 0
		  on-error: quit
	EOF
	echo "$conf"
}

# command_script TOOL BINARY PROJECT DIR ARGS...: a script that runs one
# `bst show`, so that hyperfine and /usr/bin/time run the same thing.
command_script() {
	local tool=$1 bin=$2 name=$3 dir=$4
	shift 4
	local script=$tmp/cmd/$tool-$name.sh conf
	conf=$(user_config "$tool" "$name")
	{
		echo '#!/bin/sh'
		printf 'cd %q || exit 1\n' "$dir"
		printf 'exec %q -c %q --no-colors' "$bin" "$conf"
		printf ' %q' "$@"
		echo
	} >"$script"
	chmod +x "$script"
	echo "$script"
}

# measure LABEL RUNS WARMUP SCRIPT: runs hyperfine, leaving its JSON in
# $tmp/json/LABEL.json; prints nothing, or ERR if the command failed.
measure() {
	local label=$1 runs=$2 warmup=$3 script=$4 json=$tmp/json/$1.json
	echo "== $label" >&2
	if ! hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" "$script" >&2; then
		rm -f "$json"
		echo "bench: $label failed; its output:" >&2
		"$script" >/dev/null 2>"$tmp/log/$label.err" || true
		tail -n 15 "$tmp/log/$label.err" >&2
		echo ERR
	fi
}

# peak_rss SCRIPT: maximum resident set size in kB, or ERR.
peak_rss() {
	if /usr/bin/time -v -o "$tmp/time.txt" "$1" >/dev/null 2>&1; then
		awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/time.txt"
	else
		echo ERR
	fi
}

results=$tmp/results.tsv
: >"$results"

# bench_project NAME DIR ARGS...: all figures for one project.
bench_project() {
	local name=$1 dir=$2
	shift 2
	local ours rss bs_script ours_script parse_script
	bs_script=$(command_script buildstream "$buildstream" "$name" "$dir" "$@")
	ours_script=$(command_script bst "$tmp/bst" "$name" "$dir" "$@")
	measure "buildstream-$name" "$bs_runs" 1 "$bs_script" >/dev/null
	ours=$(measure "bst-$name" "$bst_runs" 1 "$ours_script")
	parse_script=$tmp/cmd/parse-$name.sh
	printf '#!/bin/sh\nexec %q %q\n' "$tmp/yamlparse" "$dir" >"$parse_script"
	chmod +x "$parse_script"
	measure "parse-$name" "$parse_runs" 1 "$parse_script" >/dev/null
	rss=ERR
	[ "$ours" = ERR ] || rss=$(peak_rss "$ours_script")
	printf '%s\t%s\n' "$name" "$rss" >>"$results"
}

only=${BENCH_ONLY:-}
[ -z "$only" ] || sizes=($(for n in "${sizes[@]}"; do case " $only " in *" $n "*) echo "$n" ;; esac; done))
for n in "${sizes[@]}"; do
	p=$tmp/proj/synthetic-$n
	echo "== generating synthetic-$n"
	python3 "$bench_dir/gen-synthetic.py" "$p" "$n"
	cp "$(command -v busybox)" "$p/files/base/bin/busybox"
	for t in sh mkdir echo cat cp ls rm; do ln -sf busybox "$p/files/base/bin/$t"; done
	bench_project "synthetic-$n" "$p" show --deps all all.bst
	# Cache keys' share of `bst show`: the same show without key symbols.
	# Cache keys' share of `bst show`: the same show printing names only,
	# and names with full keys (the default format also looks every
	# element up in the artifact cache for %{state}).
	nokeys=$(command_script bst "$tmp/bst" "synthetic-$n-nokeys" "$p" show --deps all --format '%{name}' all.bst)
	measure "bst-nokeys-synthetic-$n" "$bst_runs" 1 "$nokeys" >/dev/null
	keys=$(command_script bst "$tmp/bst" "synthetic-$n-keys" "$p" show --deps all --format '%{name} %{full-key}' all.bst)
	measure "bst-keys-synthetic-$n" "$bst_runs" 1 "$keys" >/dev/null
done

if [ "$quick" != 1 ] && { [ -z "$only" ] || [[ " $only " == *" fdsdk "* ]]; }; then
	if [ -d "$corpus_dir/$fdsdk" ]; then
		p=$tmp/proj/$fdsdk
		cp -a "$corpus_dir/$fdsdk" "$p"
		chmod -R u+w "$p"
		# The corpus holds placeholders for plugin code; BuildStream needs a
		# collect_initial_scripts element to load the project.
		cp "$repo/scripts/bench-plugins/collect_initial_scripts.py" "$p/plugins/elements/"
		mapfile -t targets <"$corpus_dir/$fdsdk.golden/targets.txt"
		bench_project "$fdsdk" "$p" -o target_arch x86_64 -o bootstrap_build_arch x86_64 \
			show --deps all "${targets[@]}"
	else
		echo "bench: $corpus_dir/$fdsdk not found; skipping it (set BST_CORPUS_DIR)" >&2
	fi
fi

echo
echo "BuildStream $("$buildstream" --version 2>/dev/null), bst $(git -C "$repo" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) cores"
python3 - "$results" "$tmp/json" <<'EOF'
import json, os, sys

SPEEDUP, PARSE_RATIO, RSS_MB, RSS_ROW = 50.0, 3.0, 200.0, "synthetic-5000"
jsondir = sys.argv[2]


def result(label):
    """hyperfine's (median wall time, mean user+system time), or None."""
    try:
        with open(os.path.join(jsondir, label + ".json")) as f:
            r = json.load(f)["results"][0]
    except OSError:
        return None
    return r["median"], r["user"] + r["system"]


def secs(v):
    return "ERR" if v is None else "%.3f s" % v


def ratio(a, b, fmt):
    return (a / b, fmt % (a / b)) if a is not None and b else (None, "ERR")


def table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


wall = [("project", "BuildStream", "bst", "BuildStream/bst", "parse-only", "bst/parse",
         "bst peak RSS", ">=50x", "<=3x parse", "<200 MB")]
cpu = [("project", "BuildStream", "bst", "BuildStream/bst", "parse-only", "bst/parse")]
failed = False


def goal(ok, applies=True):
    global failed
    if not applies:
        return "-"
    failed = failed or not ok
    return "PASS" if ok else "FAIL"


for line in open(sys.argv[1]):
    if not line.strip():
        continue
    name, rss = line.rstrip("\n").split("\t")
    res = [result(p + "-" + name) for p in ("buildstream", "bst", "parse")]
    med = [r and r[0] for r in res]
    tot = [r and r[1] for r in res]
    speedup, speedup_s = ratio(med[0], med[1], "%.1fx")
    over, over_s = ratio(med[1], med[2], "%.2fx")
    rss_mb = int(rss) / 1024 if rss.isdigit() else None
    wall.append((name, secs(med[0]), secs(med[1]), speedup_s, secs(med[2]), over_s,
                 "ERR" if rss_mb is None else "%.0f MB" % rss_mb,
                 goal(speedup is not None and speedup >= SPEEDUP),
                 goal(over is not None and over <= PARSE_RATIO),
                 goal(rss_mb is not None and rss_mb < RSS_MB, name == RSS_ROW)))
    cpu.append((name, secs(tot[0]), secs(tot[1]), ratio(tot[0], tot[1], "%.1fx")[1],
                secs(tot[2]), ratio(tot[1], tot[2], "%.2fx")[1]))

print("Wall time (median); the goals are judged on these:")
table(wall)
print()
print("CPU time (user+system, mean; steadier when the machine is busy):")
table(cpu)
print()
keys = [("project", "%{name}", "%{name} %{full-key}", "keys add", "<=20%", "default format", "keys+state add")]
for line in open(sys.argv[1]):
    name = line.split("\t")[0]
    if not name.startswith("synthetic-"):
        continue
    without, with_keys, default = result("bst-nokeys-" + name), result("bst-keys-" + name), result("bst-" + name)
    if with_keys is None or without is None or default is None:
        keys.append((name, "ERR", "ERR", "ERR", goal(False), "ERR", "ERR"))
        continue
    add = with_keys[0] / without[0] - 1
    keys.append((name, secs(without[0]), secs(with_keys[0]), "%+.0f%%" % (100 * add),
                 goal(add <= 0.20, name == RSS_ROW), secs(default[0]), "%+.0f%%" % (100 * (default[0] / without[0] - 1))))
print("Cache keys' share of bst show (wall medians; the goal applies at 5000 elements; the default")
print("format's %{state} also looks each element up in the artifact cache, shown for information):")
table(keys)
print()
print("goals: %s" % ("some FAIL" if failed else "all PASS"))
EOF
