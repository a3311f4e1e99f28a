#!/usr/bin/env bash
# GPU check of symrmt: the CUDA tests and the simulation benchmark, in one go, within 8 minutes.
#
#   benchmarks/gpu_check.sh DIR
#
# Needs a python3 that already has a CUDA build of torch, numba, sympy, scipy, pytest and
# hypothesis; symrmt itself is taken from this checkout (PYTHONPATH), nothing is installed and
# the network is never used.  Steps (each under `timeout`; a failing step does not stop the rest):
#
#   env      python / torch / CUDA versions, the GPU, nvidia-smi
#   pytest   python3 -m pytest -m gpu                      (the CUDA tests, incl. the device probes)
#   table    bench_simulate.py: simulate vs torch.linalg.eigvalsh on the same matrices, every law
#   speedup  bench_simulate.py: GPU vs CPU at n = 1000, 4000, 8000
#   ladder   bench_simulate.py: largest n of a `verify` ladder (n/8 .. n) within 60 s
#
# Writes DIR/gpu_check.log (everything), DIR/gpu_check.json (all figures and step statuses) and
# the per-step JSON files; prints a summary at the end.
#
# Environment: PYTHON (default python3), DEVICE (default cuda; cpu for a dry run),
# GPU_CHECK_QUICK=1 (small sizes: a plumbing test in about a minute),
# GPU_CHECK_SECONDS (total budget, default 470).
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
OUT=$1
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2

PY=${PYTHON:-python3}
DEVICE=${DEVICE:-cuda}
QUICK=${GPU_CHECK_QUICK:-0}
TOTAL=${GPU_CHECK_SECONDS:-470}
LOG="$OUT/gpu_check.log"
STATUS="$OUT/steps.tsv"
: >"$LOG"
: >"$STATUS"

export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1 MPLBACKEND=Agg PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export HF_HUB_OFFLINE=1 NO_PROXY='*' no_proxy='*'
CACHE=$(mktemp -d "${TMPDIR:-/tmp}/symrmt_gpu_check.XXXXXX")
export SYMRMT_CACHE_DIR=${SYMRMT_CACHE_DIR:-$CACHE}
# the resource limits' work estimate assumes a CPU; the GPU ladder may go past it
export SYMRMT_MAX_WORK=${SYMRMT_MAX_WORK:-1e16}
trap 'rm -rf "$CACHE"' EXIT

if [ "$QUICK" = 1 ]; then
    TABLE_ARGS=(--n 200 --trials 2 --repeats 2)
    SPEEDUP_ARGS=(--speedup 100,200,400 --speedup-repeats 2 --cpu-budget 5)
    LADDER_ARGS=(--ladder 5 --ladder-start 100 --ladder-total 20)
    CAP_PYTEST=150 CAP_TABLE=90 CAP_SPEEDUP=60 CAP_LADDER=60
else
    TABLE_ARGS=(--n 1000 --trials 4 --repeats 5)
    SPEEDUP_ARGS=(--speedup 1000,4000,8000 --speedup-laws wigner,sc+mp --speedup-repeats 3 --cpu-budget 45)
    LADDER_ARGS=(--ladder 60 --ladder-start 2000 --ladder-total 90)
    CAP_PYTEST=150 CAP_TABLE=60 CAP_SPEEDUP=130 CAP_LADDER=110
fi

START=$SECONDS

log() { echo "$*" | tee -a "$LOG"; }

# run NAME CAP CMD...: run under `timeout` (at most CAP s, never past the total budget), log it,
# record "NAME rc seconds" in steps.tsv.
run() {
    local name=$1 cap=$2
    shift 2
    local left=$((TOTAL - (SECONDS - START) - 10))
    local limit=$((cap < left ? cap : left))
    if [ "$limit" -lt 5 ]; then
        log "=== $name: skipped (time budget spent)"
        printf '%s\t%s\t%s\n' "$name" "skipped" 0 >>"$STATUS"
        return
    fi
    log ""
    log "=== $name (limit ${limit} s): $*"
    local t0=$SECONDS
    timeout --signal=TERM --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$LOG"
    local rc=${PIPESTATUS[0]}
    local dt=$((SECONDS - t0))
    [ "$rc" = 124 ] && log "=== $name: timed out after ${limit} s (partial results kept)"
    log "=== $name: exit $rc, ${dt} s"
    printf '%s\t%s\t%s\n' "$name" "$rc" "$dt" >>"$STATUS"
}

log "symrmt GPU check: $(date -u +%Y-%m-%dT%H:%M:%SZ), device $DEVICE, quick=$QUICK, budget ${TOTAL} s"
log "checkout: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"

run env 30 "$PY" - "$DEVICE" "$OUT/env.json" <<'EOF'
import json, platform, shutil, subprocess, sys
device, path = sys.argv[1], sys.argv[2]
info = {"python": platform.python_version(), "requested_device": device}
try:
    import torch
    info.update(torch=torch.__version__, cuda_build=torch.version.cuda, cuda_available=torch.cuda.is_available(),
                threads=torch.get_num_threads())
    if torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        free, total = torch.cuda.mem_get_info()
        info["gpu_memory_gib"] = {"free": free / 2**30, "total": total / 2**30}
except Exception as exc:  # report, do not stop the check
    info["torch_error"] = repr(exc)
for mod in ("numba", "sympy", "scipy", "numpy", "pytest", "hypothesis"):
    try:
        info[mod] = __import__(mod).__version__
    except Exception as exc:
        info[mod] = f"missing ({exc!r})"
if shutil.which("nvidia-smi"):
    try:
        info["nvidia_smi"] = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                                             "--format=csv,noheader"], capture_output=True, text=True,
                                            timeout=15).stdout.strip()
    except Exception as exc:
        info["nvidia_smi"] = repr(exc)
print(json.dumps(info, indent=2))
json.dump(info, open(path, "w"), indent=2)
if device == "cuda" and not info.get("cuda_available"):
    print("CUDA requested but not available: the GPU figures will be missing", file=sys.stderr)
    sys.exit(3)
EOF

run pytest "$CAP_PYTEST" "$PY" -m pytest -m gpu -p no:cacheprovider -q -rs --continue-on-collection-errors \
    --junitxml="$OUT/pytest_gpu.xml"
run table "$CAP_TABLE" "$PY" benchmarks/bench_simulate.py --device "$DEVICE" "${TABLE_ARGS[@]}" \
    --json "$OUT/bench_table.json"
run speedup "$CAP_SPEEDUP" "$PY" benchmarks/bench_simulate.py --device "$DEVICE" --no-table "${SPEEDUP_ARGS[@]}" \
    --json "$OUT/bench_speedup.json"
run ladder "$CAP_LADDER" "$PY" benchmarks/bench_simulate.py --device "$DEVICE" --no-table "${LADDER_ARGS[@]}" \
    --json "$OUT/bench_ladder.json"

# Merge everything into one JSON and print the summary (tolerant of missing or partial files).
"$PY" - "$OUT" "$DEVICE" "$QUICK" "$((SECONDS - START))" <<'EOF' 2>&1 | tee -a "$LOG"
import json, os, sys
import xml.etree.ElementTree as ET
out, device, quick, seconds = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])


def load(name):
    try:
        with open(os.path.join(out, name)) as fh:
            return json.load(fh)
    except (OSError, ValueError) as exc:
        return {"missing": repr(exc)}


steps = {}
for line in open(os.path.join(out, "steps.tsv")):
    name, rc, sec = line.rstrip("\n").split("\t")
    steps[name] = {"exit": int(rc) if rc.lstrip("-").isdigit() else rc, "seconds": int(sec)}
tests = {}
try:
    root = ET.parse(os.path.join(out, "pytest_gpu.xml")).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    tests = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    tests["passed"] = tests["tests"] - tests["failures"] - tests["errors"] - tests["skipped"]
    tests["failed_cases"] = [f"{c.get('classname')}::{c.get('name')}" for c in suite.iter("testcase")
                             if c.find("failure") is not None or c.find("error") is not None]
except Exception as exc:
    tests = {"missing": repr(exc)}
table, speed, ladder = load("bench_table.json"), load("bench_speedup.json"), load("bench_ladder.json")
res = {"device": device, "quick": quick, "seconds": seconds, "steps": steps, "environment": load("env.json"),
       "pytest_gpu": tests, "sim_vs_eigvalsh": table.get("table", table),
       "speedup": speed.get("speedup", speed), "verify_ladder": ladder.get("ladder", ladder),
       "verify_ladder_summary": ladder.get("ladder_summary", {}).get("result", {}),
       "benchmark_environment": table.get("environment", speed.get("environment"))}
with open(os.path.join(out, "gpu_check.json"), "w") as fh:
    json.dump(res, fh, indent=2, allow_nan=False, default=str)
json.load(open(os.path.join(out, "gpu_check.json")))  # it must read back

print("\n================ summary ================")
print(f"device {device}{' (quick sizes)' if quick else ''}, {seconds} s in all")
for name, st in steps.items():
    print(f"  step {name:<8} exit {st['exit']!s:<8} {st['seconds']:>4} s")
if "missing" not in tests:
    print(f"  pytest -m gpu: {tests['passed']} passed, {tests['failures'] + tests['errors']} failed, "
          f"{tests['skipped']} skipped" + "".join(f"\n    FAILED {c}" for c in tests["failed_cases"]))
for law, r in res["sim_vs_eigvalsh"].items():
    if isinstance(r, dict):
        print(f"  sim/eigvalsh {law:<12} {r['sim_over_eig']:6.2f}  ({'meets' if r['target_met'] else 'MISSES'} "
              f"<= 1.1; sim/textbook {r['sim_over_text']:.2f}, n = {r['n']})")
for key, r in res["speedup"].items():
    if isinstance(r, dict):
        print(f"  speed-up {key:<16} {r['speedup']:7.1f}x  ({r['device_s']:.3f} s vs CPU {r['cpu_s']:.3f} s, "
              f"{r['cpu_timing']})")
s = res["verify_ladder_summary"]
if s:
    est = s.get("extrapolated_n_at_budget")
    print(f"  verify ladder ({s['derivation']}): largest n within {s['budget_s']:g} s = {s['largest_n']}"
          + (f", extrapolated {est:.0f}" if est else ""))
print(f"figures: {os.path.join(out, 'gpu_check.json')}; log: {os.path.join(out, 'gpu_check.log')}")
EOF
exit 0
