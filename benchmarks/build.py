"""How fast and how lean ``calfeed build`` is, next to the floor of the same output, and what an edit costs.

Generates the same content as ``benchmarks/load.py`` (1,000 and 10,000 events, a news post per 10 events)
in a temporary folder, then, each step in a fresh Python process (so its peak RSS is its own):

* **full**: ``calfeed.export.build`` into an empty folder: wall time of the call, CPU time (of all its
  processes), peak RSS (``ru_maxrss`` of the process, or of its largest worker process), files and bytes;
* **floor**: the least work those files need, measured in the same run: compress each distinct body the
  export wrote with the encoders calfeed uses (``calfeed.http.ENCODERS``: one pass per encoder, timed
  apart; the bytes must equal the export's ``.gz``/``.br`` files), and write every file of the export
  (folders, bytes, modification time) into an empty folder. One process: the floor is work, not wall time
  on two cores. Its CPU time (of the same steps) is printed too: on a shared machine wall time measures
  the wait for a core as well, and a build of two processes waits differently from a floor of one;
* **incremental**: the content stamped (``calfeed stamp``, as editors commit it), one event's title edited
  (not yet stamped), then ``build`` again into the folder of the full export:
  its time as a share of the full export's, and the files it rewrote (new, or bytes or modification time
  changed) next to the files whose bytes changed (new, changed or removed).

Before each timed step the kernel writes out the files earlier steps left in memory (``sync``): each step
is timed writing into memory, as a build is, without the writing back of the one before.

Targets at 10,000 events: full ≤ 2.5× floor, peak RSS ≤ 400 MiB, incremental ≤ 5 % of full, and growth
from 1,000 to 10,000 events ≤ 10.5× for every figure. "Today" is fixed (the middle of the content), so
runs compare.

Run from the repository root::

    .venv/bin/python benchmarks/build.py                    # 1,000 and 10,000 events
    .venv/bin/python benchmarks/build.py --sizes 1000

Progress goes to stderr, the table to stdout. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import load as load_benchmark  # noqa: E402  benchmarks/load.py: its content generator (a script's folder is on sys.path)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENCODED = (".gz", ".br")


def _peak_mib() -> float:
    """The peak RSS of this process or of the largest of its worker processes, in MiB."""
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return max(own.ru_maxrss, workers.ru_maxrss) / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    """CPU time of this process and its worker processes (on a busy machine, wall time is not all ours)."""
    own, workers = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


# -- steps, each in its own process --------------------------------------------------------------------------------


def step_build(content: str, out: str, today: str) -> dict[str, Any]:
    """One ``calfeed build`` of `content` into `out`."""
    sys.path.insert(0, str(ROOT))
    from calfeed.export import build
    from calfeed.settings import Settings

    settings = Settings(events=content, templates=str(ROOT / "templates"))
    started, cpu = time.perf_counter(), _cpu_seconds()
    built = build(out, settings, today=date.fromisoformat(today))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": _cpu_seconds() - cpu,
        "peak_mib": _peak_mib(),
        "files": built.files,
        "bytes": built.size,
    }


def _files(folder: Path) -> list[Path]:
    return sorted(file for file in folder.rglob("*") if file.is_file())


def step_floor(out: str, scratch: str) -> dict[str, Any]:
    """Compress each distinct body of the export at `out` as calfeed does, and write all its files again."""
    sys.path.insert(0, str(ROOT))
    from calfeed.export import BUILD_FILES, HOST_FILES
    from calfeed.http import ENCODERS, encode

    root, target = Path(out), Path(scratch)
    names = {str(file.relative_to(root)) for file in _files(root)}
    bodies = sorted(name for name in names if not (name.endswith(ENCODED) and name[:-3] in names))
    seconds = dict.fromkeys(ENCODERS, 0.0)
    written, done, folders, cpu = 0.0, set(), set(), 0.0
    for name in bodies:
        source = root / name
        data = source.read_bytes()
        digest = hashlib.blake2b(data, digest_size=16).digest()
        compressed = name not in (*HOST_FILES, *BUILD_FILES)  # for the host and the next build: not served
        if compressed and digest not in done:  # the same bytes need compressing once
            done.add(digest)
            for coding, encoder in ENCODERS.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                encoder(data)
                seconds[coding] += time.perf_counter() - started
                cpu += time.process_time() - cpu_started
        files = {name: data}
        for coding, coded in (encode(data) if compressed else {}).items():
            suffix = ".gz" if coding == "gzip" else ".br"
            if (root / (name + suffix)).read_bytes() != coded:
                raise SystemExit(f"floor: {name}{suffix} is not what calfeed.http.encode makes: settings differ")
            files[name + suffix] = coded
        modified = source.stat().st_mtime
        started, cpu_started = time.perf_counter(), time.process_time()
        for relative, payload in files.items():
            file = target / relative
            if file.parent not in folders:
                file.parent.mkdir(parents=True, exist_ok=True)
                folders.add(file.parent)
            file.write_bytes(payload)
            os.utime(file, (modified, modified))
        written += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
    missing = names - {name for name in names if (target / name).is_file()}
    if missing:
        raise SystemExit(f"floor: {len(missing)} files of the export not made, e.g. {sorted(missing)[:3]}")
    return {"write": written, **seconds, "seconds": written + sum(seconds.values()), "cpu": cpu, "distinct": len(done)}


def step_snapshot(out: str, into: str, before: str | None) -> dict[str, Any]:
    """Record size, mtime and hash of every file under `out` in `into`; with `before`, compare to it."""
    root = Path(out)
    now = {
        str(file.relative_to(root)): (
            file.stat().st_mtime_ns,
            hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest(),
        )
        for file in _files(root)
    }
    Path(into).write_text(json.dumps(now))
    if before is None:
        return {"files": len(now)}
    then = {name: tuple(value) for name, value in json.loads(Path(before).read_text()).items()}
    rewritten = sum(1 for name, value in now.items() if then.get(name) != value)
    changed = sum(1 for name, (_, digest) in now.items() if name not in then or then[name][1] != digest)
    removed = len(then.keys() - now.keys())
    return {"files": len(now), "rewritten": rewritten, "changed": changed + removed, "removed": removed}


def step_stamp(content: str) -> dict[str, Any]:
    """``calfeed stamp``: record every item's revision, as editors commit it with the content."""
    sys.path.insert(0, str(ROOT))
    from calfeed import history
    from calfeed.content import read_content

    site, problems = read_content(content)
    if site is None or problems:
        raise SystemExit(f"generated content has problems: {problems[:3]}")
    return {"stamped": history.stamp(site, content)}


STEPS = {"build": step_build, "floor": step_floor, "snapshot": step_snapshot, "stamp": step_stamp}


def _settle() -> None:
    """Let the kernel write out what earlier steps left in memory, so that a timed step is not slowed by the
    writing back of another's files (the floor writes 900 MB just before the incremental export)."""
    os.sync()
    time.sleep(1)


def run_step(name: str, *args: str | None) -> dict[str, Any]:
    """Run step `name` in a fresh interpreter (its peak RSS its own) and return what it reports."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--step", name, *(arg or "" for arg in args)]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"benchmark step {name} failed:\n{completed.stderr}")
    return dict(json.loads(completed.stdout.splitlines()[-1]))


# -- the benchmark ----------------------------------------------------------------------------------------------------


def edit_one_event(content: Path, event_number: int) -> str:
    """Prefix "Edited " to the title of event `event_number` (1-based) in `content`; return its id."""
    lines = content.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if re.match(rf"  - id: \S+-{event_number:06d}$", line))
    event_id = lines[at].split(": ", 1)[1].strip()
    title = next(i for i in range(at + 1, len(lines)) if lines[i].strip().startswith("title:"))
    if lines[title].strip() == "title:":
        title += 1  # a mapping of languages: edit its first
    key, value = lines[title].split(": ", 1)
    quote = '"' if value.startswith('"') else ""
    lines[title] = f"{key}: {quote}Edited {value[len(quote) :]}"
    content.write_text("".join(lines), encoding="utf-8")
    return event_id


def bench(n_events: int, folder: Path) -> dict[str, Any]:
    load = load_benchmark
    content = folder / "events.yaml"
    load.write_content(content, n_events)
    run_step("stamp", str(content))  # so that an edit is one changed item (docs/history.md)
    today = (load.FIRST_DAY + timedelta(days=load.SPAN_DAYS // 2)).isoformat()
    out, before, after = folder / "site", folder / "before.json", folder / "after.json"
    _progress(f"{n_events:,} events: full export")
    _settle()
    full = run_step("build", str(content), str(out), today)
    _progress(f"{n_events:,} events: full export {full['seconds']:.1f} s; floor")
    _settle()
    floor = run_step("floor", str(out), str(folder / "floor"))
    shutil.rmtree(folder / "floor")  # (written only to be timed)
    run_step("snapshot", str(out), str(before), None)
    time.sleep(0.01)  # the edit's modification time differs from the file's first one
    edited = edit_one_event(content, n_events // 2)
    _progress(f"{n_events:,} events: incremental export after editing {edited}")
    _settle()
    incremental = run_step("build", str(content), str(out), today)
    files = run_step("snapshot", str(out), str(after), str(before))
    return {"events": n_events, "full": full, "floor": floor, "incremental": incremental, "files": files}


def print_table(results: list[dict[str, Any]]) -> None:
    columns = [
        ("events", lambda r: f"{r['events']:,}"),
        ("full s", lambda r: f"{r['full']['seconds']:.1f}"),
        ("cpu s", lambda r: f"{r['full']['cpu']:.1f}"),
        ("peak MiB", lambda r: f"{r['full']['peak_mib']:.0f}"),
        ("files", lambda r: f"{r['full']['files']:,}"),
        ("MB", lambda r: f"{r['full']['bytes'] / 1e6:.1f}"),
        ("floor s", lambda r: f"{r['floor']['seconds']:.1f}"),
        ("write s", lambda r: f"{r['floor']['write']:.1f}"),
        ("gzip s", lambda r: f"{r['floor']['gzip']:.1f}"),
        ("br s", lambda r: f"{r['floor']['br']:.1f}"),
        ("full/floor", lambda r: f"{r['full']['seconds'] / r['floor']['seconds']:.2f}"),
        ("floor cpu s", lambda r: f"{r['floor']['cpu']:.1f}"),
        ("cpu/floor cpu", lambda r: f"{r['full']['cpu'] / r['floor']['cpu']:.2f}"),
        ("incr s", lambda r: f"{r['incremental']['seconds']:.2f}"),
        ("incr %", lambda r: f"{100 * r['incremental']['seconds'] / r['full']['seconds']:.1f}"),
        ("incr cpu %", lambda r: f"{100 * r['incremental']['cpu'] / r['full']['cpu']:.1f}"),
        ("incr MiB", lambda r: f"{r['incremental']['peak_mib']:.0f}"),
        ("rewritten", lambda r: f"{r['files']['rewritten']:,}"),
        ("changed", lambda r: f"{r['files']['changed']:,}"),
    ]
    rows = [[name for name, _ in columns]] + [[cell(r) for _, cell in columns] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    if len(results) < 2:
        return
    small, large = results[0], results[-1]
    figures = {
        "full s": lambda r: r["full"]["seconds"],
        "peak MiB": lambda r: r["full"]["peak_mib"],
        "files": lambda r: r["full"]["files"],
        "MB": lambda r: r["full"]["bytes"],
        "floor s": lambda r: r["floor"]["seconds"],
        "cpu s": lambda r: r["full"]["cpu"],
        "incr s": lambda r: r["incremental"]["seconds"],
        "incr MiB": lambda r: r["incremental"]["peak_mib"],
        "rewritten": lambda r: max(r["files"]["rewritten"], 1),
    }
    growth = ", ".join(f"{name} {figure(large) / figure(small):.1f}x" for name, figure in figures.items())
    print(f"growth {small['events']:,} -> {large['events']:,}: {growth}")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated event counts (default 1000,10000)")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)  # one step, run by run_step
    args = parser.parse_args(argv)
    if args.step:
        name, *rest = args.step
        print(json.dumps(STEPS[name](*(arg or None for arg in rest))))
        return
    results = []
    for n_events in (int(size) for size in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="calfeed-bench-build-") as folder:
            results.append(bench(n_events, Path(folder)))
    print_table(results)


if __name__ == "__main__":
    main()
