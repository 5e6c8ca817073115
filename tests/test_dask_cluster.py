"""`scan --dask` on a real dask.distributed cluster on loopback (a scheduler and two worker
processes, shared by the module): the same findings and counts as a local run, rules that follow
the client, parts written once even when a worker dies mid-run."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkguard.cli import main

distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parent.parent
#: Small, so the test files are cut into several line-aligned ranges.
BLOCK = "4096"


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port: 8787 may be taken (None still binds it)
        silence_logs=50,
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def client(cluster: str) -> Iterator[distributed.Client]:
    with distributed.Client(cluster, set_as_default=False) as c:
        yield c


def make_inputs(root: Path) -> Path:
    """A directory of every kind of input, some large enough to be split, some not splittable."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = root / "in"
    (d / "sub").mkdir(parents=True)
    lines = []
    for i in range(1500):
        if i % 11 == 0:
            lines.append(
                f"Post {i}: z.B. neu auf welt.ltd/a{i} und bei tagesschau.de, Nr.{i} um 12.30 Uhr".encode()
            )
        elif i in (700, 1300):  # invalid UTF-8 in two ranges: still one note for the file
            lines.append(b"kaputt \xff\xfe bytes welt.ltd/bad")
        else:
            lines.append(f"Zeile {i} ohne Link, 3.5 % mehr als 1.12.2026".encode())
    (d / "big.txt").write_bytes(b"\n".join(lines) + b"\nlast line spiegel.agency")
    jl = [
        json.dumps({"id": i, "text": f"Neu: https://welt.ltd/{i} via bit.ly/x{i}"}) if i % 5 else "{broken"
        for i in range(400)
    ]
    (d / "posts.jsonl").write_text("\n".join(jl) + "\n", encoding="utf-8")
    (d / "sub" / "more.jsonl.gz").write_bytes(gzip.compress(("\n".join(jl[:50]) + "\n").encode()))
    (d / "table.csv").write_text("id,text\n1,siehe spiegel.agency\n2,nichts\n", encoding="utf-8")
    (d / "page.html").write_text('<html><a href="https://welt.ltd/x">welt.de</a></html>', encoding="utf-8")
    (d / "doc.json").write_text(json.dumps({"a": ["faz.news/b", "ok"]}), encoding="utf-8")
    (d / "seeds.txt").write_bytes((ROOT / "seeds" / "doppelganger-thread-de.txt").read_bytes())
    (d / "blob.bin").write_bytes(bytes(range(256)) * 64)
    (d / ".hidden.txt").write_text("welt.ltd hidden", encoding="utf-8")
    table = pa.table({"id": ["p1", "p2", "p3"], "text": ["auf welt.ltd", None, "spiegel.de und welt.ltd"]})
    pq.write_table(table, d / "posts.parquet")
    return d


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_inputs(tmp_path_factory.mktemp("dask"))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cluster_run_equals_local_run(
    capsys: pytest.CaptureFixture[str], cluster: str, inputs: Path, tmp_path: Path
) -> None:
    common = ("--all", "-f", "jsonl", "--id-column", "id")
    code, local, local_err = run(capsys, "scan", str(inputs), *common, "--summary", str(tmp_path / "l.json"))
    assert code == 1 and local.count("\n") > 200
    on_cluster = ("scan", "--dask", cluster, "--dask-block-bytes", BLOCK, str(inputs))
    args = (*on_cluster, *common)
    code2, remote, remote_err = run(capsys, *args, "--summary", str(tmp_path / "r.json"))
    assert code2 == 1
    assert remote == local  # same findings, lines and order, byte for byte
    assert remote_err == local_err
    summary = json.loads((tmp_path / "l.json").read_text())
    assert json.loads((tmp_path / "r.json").read_text()) == summary
    assert summary["repaired"]["invalid-utf-8-replaced"] == 1  # once per input, as locally
    assert summary["skipped"] == {"binary": 1}

    # another format: the findings travel as objects and the client's writer renders them
    csv = ("--all", "-f", "csv", "--id-column", "id", "-q")
    assert run(capsys, *on_cluster, *csv)[1] == run(capsys, "scan", str(inputs), *csv)[1]
    # -o FILE: the same lines as stdout
    assert run(capsys, *args, "-q", "-o", str(tmp_path / "all.jsonl"))[0] == 1
    assert (tmp_path / "all.jsonl").read_text(encoding="utf-8") == local

    # -o DIR/: one part per unit, written by the workers; together they are the local output
    out = tmp_path / "parts"
    code3, stdout, _ = run(capsys, *args, "-o", f"{out}/", "--gzip-parts")
    assert code3 == 1 and stdout == ""
    parts = sorted(p for p in out.iterdir() if p.name != "_summary.json")
    assert len(parts) > 12  # big.txt and posts.jsonl were cut into ranges
    assert b"".join(gzip.decompress(p.read_bytes()) for p in parts).decode() == local
    written = json.loads((out / "_summary.json").read_text())
    assert {k: written[k] for k in summary} == summary
    assert written["parts"] == [p.name for p in parts]


def test_file_urls_and_globs(capsys: pytest.CaptureFixture[str], cluster: str, inputs: Path) -> None:
    files = [str(inputs / n) for n in ("big.txt", "seeds.txt", "posts.jsonl")]
    _, local, _ = run(capsys, "scan", *files, "--all", "-f", "jsonl")
    code, remote, _ = run(
        capsys,
        "scan",
        "--dask",
        cluster,
        "--dask-block-bytes",
        BLOCK,
        f"file://{inputs}/*.txt",  # a glob the workers expand: big.txt, seeds.txt
        f"file://{inputs}/posts.jsonl",
        "--all",
        "-f",
        "jsonl",
    )
    assert code == 1
    rows = [json.loads(line) for line in remote.splitlines()]
    assert {r["source"] for r in rows} == {f"file://{f}" for f in files}
    for row in rows:
        row["source"] = row["source"].removeprefix("file://")
    assert rows == [json.loads(line) for line in local.splitlines()]


#: The last frame of the progress bar: as many bytes done as in all (rich's DownloadColumn).
_BAR_DONE = re.compile(r"scanning\S*\s.*?(\d[\d.]*)/\1 (?:bytes|kB|MB)")


def test_progress_bar_counts_the_units_finished_on_the_cluster(
    capsys: pytest.CaptureFixture[str], cluster: str, client: distributed.Client, inputs: Path, tmp_path: Path
) -> None:
    files = [str(inputs / "big.txt"), str(inputs / "posts.jsonl"), str(inputs / "sub")]
    on_cluster = ("scan", "--dask", cluster, "--dask-block-bytes", BLOCK, *files, "--all", "-f", "jsonl")
    # --progress draws it on any stderr (a terminal only, by default), even with -q
    for out in (str(tmp_path / "all.jsonl"), f"{tmp_path}/parts/"):
        code, _, err = run(capsys, *on_cluster, "-o", out, "--progress", "-q")
        assert code == 1 and _BAR_DONE.search(err), err
    code, _, err = run(capsys, *on_cluster, "-o", str(tmp_path / "quiet.jsonl"), "-q")
    assert code == 1 and "scanning" not in err
    code, _, err = run(capsys, "scan", *files, "--all", "-o", str(tmp_path / "l.jsonl"), "--progress", "-q")
    assert code == 1 and _BAR_DONE.search(err), err  # a local run: the same bar

    # the library: done and total bytes, from nothing to all the units' input
    from linkguard.dask_scan import ClusterScan, ScanOptions
    from linkguard.rules import load_rules

    calls: list[tuple[int, int]] = []
    scan = ClusterScan(
        client,
        load_rules(),
        options=ScanOptions(),
        block_bytes=int(BLOCK),
        on_progress=lambda *a: calls.append(a),
    )
    assert len(list(scan.scan_paths(files))) > 100
    size = sum(
        p.stat().st_size for f in files for p in ([Path(f)] if Path(f).is_file() else Path(f).rglob("*"))
    )
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls) and len(calls) > 5


def test_workers_judge_with_the_clients_rules(
    capsys: pytest.CaptureFixture[str], cluster: str, client: distributed.Client, tmp_path: Path
) -> None:
    post = tmp_path / "post.txt"
    post.write_text("lies nordkurier.ltd/artikel\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[outlet]]\nname = "Nordkurier"\ndomains = ["nordkurier.de"]\n', encoding="utf-8")
    base = ("scan", "--dask", cluster, str(post), "-f", "jsonl", "--all", "--no-blocklist")
    code, out, _ = run(capsys, *base, "--rules", str(rules))
    assert code == 1 and json.loads(out)["impersonates"]["domain"] == "nordkurier.de"
    rules.write_text('[[outlet]]\nname = "Welt"\ndomains = ["welt.de"]\n', encoding="utf-8")
    code, out, _ = run(capsys, *base, "--rules", str(rules))  # the same cluster, other rules
    assert code == 0 and json.loads(out)["verdict"] == "unknown"
    # a run of many tasks with the same rules builds at most one detector per worker process
    from linkguard import dask_scan

    before = sum(client.run(lambda: dask_scan.BUILT[0]).values())
    many = [str(post)] * 12
    assert run(capsys, "scan", "--dask", cluster, *many, "--rules", str(rules), "-q", "--all")[0] == 0
    assert run(capsys, "scan", "--dask", cluster, *many, "--rules", str(rules), "-q", "--all")[0] == 0
    assert sum(client.run(lambda: dask_scan.BUILT[0]).values()) - before <= 2


def test_dask_options_are_checked(capsys: pytest.CaptureFixture[str], cluster: str, inputs: Path) -> None:
    code, _, err = run(capsys, "scan", str(inputs), "-o", f"{inputs.parent}/x/")
    assert code == 2 and "needs --dask" in err
    code, _, err = run(capsys, "scan", "--dask", cluster, "-", "-f", "jsonl")
    assert code == 2 and "stdin" in err
    code, _, err = run(capsys, "scan", "--dask", cluster, str(inputs), "--online")
    assert code == 2 and "offline" in err


def _open_by(pid: int, path: Path) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return True
        except OSError:
            continue
    return False


def _readers(fifo: Path) -> set[int]:
    """The processes that have ``fifo`` open."""
    return {int(p) for p in os.listdir("/proc") if p.isdigit() and _open_by(int(p), fifo)}


def _feed(fifo: Path, data: bytes) -> threading.Thread:
    """Write ``data`` into the FIFO once a reader opens it."""

    def write() -> None:
        with open(fifo, "wb") as fh:
            fh.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the worker through /proc")
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
    capsys: pytest.CaptureFixture[str], cluster: str, client: distributed.Client, inputs: Path, tmp_path: Path
) -> None:
    # a named pipe among the inputs holds its task on a worker until the test writes into it
    fifo = tmp_path / "held.txt"
    os.mkfifo(fifo)
    held = b"gehalten: welt.ltd/pipe und spiegel.agency\n" * 3
    feeder = _feed(fifo, held)
    files = [str(inputs / "big.txt"), str(inputs / "posts.jsonl"), str(fifo)]
    _, local, _ = run(capsys, "scan", *files, "--all", "-f", "jsonl")
    feeder.join(10)

    out = tmp_path / "parts"
    cmd = [sys.executable, "-c", "import sys; from linkguard.cli import main; sys.exit(main())"]
    args = [
        "scan",
        "--dask",
        cluster,
        "--dask-block-bytes",
        BLOCK,
        *files,
        "--all",
        "-o",
        f"{out}/",
    ]
    proc = subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        pids = client.run(os.getpid)
        victim = None
        for _ in range(600):  # until a worker is blocked on the pipe (at most ~60 s)
            victim = next((pid for pid in pids.values() if _open_by(pid, fifo)), None)
            if victim is not None or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert victim is not None, proc.communicate()
        os.kill(victim, signal.SIGKILL)
        for _ in range(1200):  # until the task runs again in another process (at most ~120 s)
            if _readers(fifo) - {victim} or proc.poll() is not None:
                break
            time.sleep(0.1)
        feeder = _feed(fifo, held)  # the retried task, on another worker, gets the data
        _stdout, stderr = proc.communicate(timeout=120)
        feeder.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, stderr.decode()
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".")]  # no temporary part left behind
    parts = [n for n in names if n != "_summary.json"]
    assert json.loads((out / "_summary.json").read_text())["parts"] == parts
    assert "".join((out / n).read_text(encoding="utf-8") for n in parts) == local


def test_library_scans_bags_and_dataframes_on_the_cluster(client: distributed.Client) -> None:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd

    import linkguard
    from linkguard import dask as lgdask

    texts = ["neu auf welt.ltd/a", "nichts", "spiegel.agency und welt.ltd/a und welt.ltd/a", "tagesschau.de"]
    frame = pd.DataFrame({"pid": ["a", "b", "c", "d"], "body": texts})
    ddf = dd.from_pandas(frame, npartitions=2)
    found = client.compute(lgdask.scan_dataframe(ddf, text_column="body", id_column="pid")).result()
    assert list(found.columns) == list(lgdask.COLUMNS)
    posts = [json.loads(p)["id"] for p in found["post"]]  # nested values are JSON text
    assert list(zip(posts, found["host"], strict=True)) == [
        ("a", "welt.ltd"),
        ("c", "spiegel.agency"),
        ("c", "welt.ltd"),  # once per post
        ("d", "tagesschau.de"),
    ]
    assert found["flagged"].tolist() == [True, True, True, False]
    assert json.loads(found["evidence"].iloc[0])[0]["kind"] == "blocklist"

    bag = db.from_sequence(texts, npartitions=2)
    rows = client.compute(lgdask.scan_bag(bag)).result()
    local = [f for t in texts for f in linkguard.scan_text(t)]
    assert rows["url"].tolist() == [f.link.url for f in local]
    assert rows["verdict"].tolist() == [f.verdict.status for f in local]
    empty = client.compute(lgdask.scan_bag(db.from_sequence(["nichts"], npartitions=1))).result()
    assert empty.empty and list(empty.columns) == list(lgdask.COLUMNS)


def test_memory_urls_in_and_out(tmp_path: Path) -> None:
    """fsspec URLs for inputs and for the parts (``memory://`` lives in one process, so the workers
    are threads of this one here)."""
    import fsspec

    import linkguard
    from linkguard.dask_scan import ClusterScan, ScanOptions

    fs = fsspec.filesystem("memory")
    body = "".join(f"Zeile {i}: welt.ltd/{i}\n" if i % 9 == 0 else f"Zeile {i}\n" for i in range(2000))
    fs.pipe_file("/lg/in/a.txt", body.encode())
    fs.pipe_file("/lg/in/b.jsonl.gz", gzip.compress(b'{"text": "spiegel.agency"}\n'))
    (tmp_path / "a.txt").write_text(body, encoding="utf-8")
    local = [(f.line, f.link.url) for f in linkguard.scan_file(tmp_path / "a.txt")]
    rules = linkguard.load_rules()
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as c:
        scan = ClusterScan(c, rules, options=ScanOptions(show_all=True), block_bytes=4096)
        found = list(scan.scan_paths(["memory://lg/in"]))
        assert [(f.line, f.link.url) for f in found if f.source == "memory:///lg/in/a.txt"] == local
        assert found[-1].source == "memory:///lg/in/b.jsonl.gz" and found[-1].link.host == "spiegel.agency"
        stats = scan.write_parts(["memory://lg/in"], "memory://lg/out/")
    assert stats.sources == 2 and stats.links == len(found)
    names = sorted(fs.ls("/lg/out", detail=False))
    assert names[-1] == "/lg/out/_summary.json" and len(names) == len(scan.parts) + 1 > 3
    assert json.loads(fs.cat_file("/lg/out/_summary.json"))["links"] == len(found)
    fs.rm("/lg", recursive=True)


def test_linkguard_dask_is_the_library_and_never_the_dask_package() -> None:
    code = (
        "import linkguard.dask as lg, linkguard.dask_scan as impl, dask\n"
        "assert lg.scan_bag is impl.scan_bag and lg.scan_dataframe is impl.scan_dataframe\n"
        "assert dask.__name__ == 'dask' and 'linkguard' not in dask.__file__, dask.__file__\n"
        "print(all(getattr(lg, n) is getattr(impl, n) for n in lg.__all__))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
