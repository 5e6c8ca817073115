"""Faults that used to end in exit 70: a broken cache, odd --resolve addresses, IDN hosts.

Everything runs through the CLI against loopback servers. A broken cache is an optimisation
lost, never a run lost: one warning, then the run carries on without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from forensics_servers import WELT_RULES, Server

from linkguard.cli import main
from linkguard.forensics import ForensicsCache, NetworkPolicy, parse_resolve_overrides

CACHE_FILE = "forensics.sqlite3"


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory every user can enter (the read-only cases run the CLI as an unprivileged user)."""
    root = Path(tempfile.mkdtemp(prefix="linkguard-faults-"))
    root.chmod(0o755)
    (root / "welt.toml").write_text(WELT_RULES, encoding="utf-8")
    (root / "welt.toml").chmod(0o644)
    (root / "cache").mkdir(mode=0o777)
    (root / "cache").chmod(0o777)
    monkeypatch.setenv("LINKGUARD_CACHE_DIR", str(root / "cache"))
    monkeypatch.setenv("LINKGUARD_RULES_DIR", str(root / "user-rules"))
    try:
        yield root
    finally:
        for path in (root / "cache", root / "cache" / CACHE_FILE):
            if path.exists():
                path.chmod(0o777)
        shutil.rmtree(root, ignore_errors=True)


def check_args(web: Server, rdap: Server, lab: Path, path: str = "/article") -> list[str]:
    """One request per visitor profile (the redirect walk is tested elsewhere): keeps the suite fast."""
    return [
        "check",
        f"http://welt.ltd:{web.port}{path}",
        "--resolve",
        "welt.ltd:127.0.0.1",
        "--allow-private",
        "--format",
        "json",
        "--rdap-url",
        f"{rdap.base}/",
        "--rules",
        str(lab / "welt.toml"),
        "--no-blocklist",
        "--budget",
        "20",
    ]


def scan_args(web: Server, rdap: Server, lab: Path) -> list[str]:
    dump = lab / "posts.txt"
    dump.write_text(f"http://welt.ltd:{web.port}/article\nhttp://welt.ltd/offline\n", encoding="utf-8")
    dump.chmod(0o644)
    return [
        "scan",
        str(dump),
        "--format",
        "jsonl",
        "--online",
        "--allow-private",
        "--resolve",
        "welt.ltd:127.0.0.1",
        "--rdap-url",
        f"{rdap.base}/",
        "--rules",
        str(lab / "welt.toml"),
        "--no-blocklist",
        "-q",
    ]


def read_only(path: Path, on: bool = True) -> None:
    """Make ``path`` read-only for this process: the immutable attribute when root (root ignores
    file modes), the mode bits otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)
    elif path.is_dir():
        path.chmod(0o555 if on else 0o755)
    else:
        path.chmod(0o444 if on else 0o644)


def fill_cache(path: Path, entries: int = 300) -> None:
    with ForensicsCache(path) as cache:
        for i in range(entries):
            cache.set("dns", f"host{i}.example", {"a": ["192.0.2.1"] * 20})


def corrupt(path: Path) -> None:
    path.write_bytes(b"this is not an SQLite database\n" * 200)


def truncate(path: Path) -> None:
    fill_cache(path)
    with path.open("r+b") as f:
        f.truncate(5000)


@pytest.mark.parametrize("damage", [corrupt, truncate], ids=["corrupt", "truncated"])
def test_a_damaged_cache_warns_once_and_every_command_carries_on(
    damage: object, lab: Path, web: Server, rdap: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    path = lab / "cache" / CACHE_FILE
    damage(path)  # type: ignore[operator]

    assert main(check_args(web, rdap, lab)) == 1
    out, err = capsys.readouterr()
    assert err.count("Warning: the network-results cache") == 1 and "carrying on without it" in err
    finding = json.loads(out)
    assert {"final-url", "page-claim", "registration"} <= {e["kind"] for e in finding["evidence"]}

    assert main(scan_args(web, rdap, lab)) == 1
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2  # the online finding and the offline one
    assert err.count("Warning: the network-results cache") == 1

    assert main(["cache", "info"]) == 0
    assert "unusable" in capsys.readouterr().out
    assert main(["cache", "info", "--json"]) == 0
    assert "error" in json.loads(capsys.readouterr().out)

    assert main(["cache", "clear"]) == 0
    assert "Removed the unreadable cache" in capsys.readouterr().out
    assert not path.exists()
    assert main(["cache", "info"]) == 0
    assert "not created yet" in capsys.readouterr().out


def test_a_cache_made_unusable_mid_run_stops_being_used(lab: Path) -> None:
    path = lab / "cache" / CACHE_FILE
    messages: list[str] = []
    with ForensicsCache(path, on_error=messages.append) as cache:
        cache.set("dns", "a", {"x": 1})
        assert cache.get("dns", "a") == {"x": 1}
        with contextlib.closing(sqlite3.connect(path)) as other:  # `with conn` alone never closes it
            other.execute("DROP TABLE entries")
        assert cache.get("dns", "a") is None and cache.broken
        cache.set("dns", "b", {})
        assert cache.get("dns", "b") is None
    assert len(messages) == 1


@pytest.mark.parametrize("target", ["file", "dir"])
def test_a_read_only_cache_warns_and_carries_on(
    target: str, lab: Path, web: Server, rdap: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_dir = lab / "cache"
    path = cache_dir / CACHE_FILE
    fill_cache(path, 3)
    locked = cache_dir if target == "dir" else path
    read_only(locked)
    try:
        assert main(check_args(web, rdap, lab)) == 1
        out, err = capsys.readouterr()
        assert err.count("Warning: the network-results cache") == 1
        assert "page-claim" in {e["kind"] for e in json.loads(out)["evidence"]}

        assert main(scan_args(web, rdap, lab)) == 1
        assert len(capsys.readouterr().out.splitlines()) == 2

        assert main(["cache", "info"]) == 0
        capsys.readouterr()
        code = main(["cache", "clear"])
        _, err = capsys.readouterr()
        if target == "file" and os.geteuid() != 0:  # a read-only file in a writable directory goes
            assert code == 0 and not path.exists(), err
        else:  # a read-only directory or an immutable file keeps it: said in one line, exit 3
            assert code == 3 and err.startswith("Error: cannot remove the cache"), err
            assert path.exists()
    finally:
        read_only(locked, on=False)
    assert main(["cache", "clear"]) == 0


# --- --resolve ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "canonical"),
    [
        ("2130706433", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
    ],
)
def test_resolve_accepts_every_ipv4_spelling_and_stores_it_canonically(address: str, canonical: str) -> None:
    assert parse_resolve_overrides([f"welt.ltd:{address}"]) == {"welt.ltd": canonical}
    assert NetworkPolicy(resolve={"welt.ltd": address}).resolve == {"welt.ltd": canonical}


@pytest.mark.parametrize("address", ["2130706433", "127.1"])
def test_check_with_a_numeric_resolve_address_runs(
    address: str, web: Server, rdap: Server, lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = check_args(web, rdap, lab)
    args[args.index("welt.ltd:127.0.0.1")] = f"welt.ltd:{address}"
    assert main([*args, "--no-cache"]) == 1
    finding = json.loads(capsys.readouterr().out)
    assert any("127.0.0.1" in e["detail"] for e in finding["evidence"] if e["kind"] == "dns")


def test_numeric_resolve_address_is_checked_like_any_other(
    web: Server, rdap: Server, lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a for a in check_args(web, rdap, lab) if a != "--allow-private"]
    args[args.index("welt.ltd:127.0.0.1")] = "welt.ltd:2130706433"
    assert main([*args, "--no-cache"]) == 4
    assert "loopback" in capsys.readouterr().err
    assert web.paths() == []


@pytest.mark.parametrize(
    "value",
    [
        "welt.ltd:256.1.1.1",
        "welt.ltd:1.2.3.4.5",
        "welt.ltd:09.1.1.1",
        "welt.ltd:0x_1",
        "welt.ltd:",
        ":1.2.3.4",
        "1.2.3.4:5.6.7.8",
        "welt.ltd:443:1.2.3.4",
        "welt.ltd:١٢٧.0.0.1",
    ],
)
def test_bad_resolve_values_are_usage_errors(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "welt.ltd", "--resolve", value]) == 2
    assert "--resolve" in capsys.readouterr().err


# --- IDN hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pin", "written"),
    [("wélt.de", "xn--wlt-bma.de"), ("xn--wlt-bma.de", "wélt.de")],
    ids=["pin-unicode", "pin-punycode"],
)
def test_idn_hosts_are_followed_online(
    pin: str, written: str, web: Server, rdap: Server, lab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = check_args(web, rdap, lab, "/hop3")
    args[1] = f"http://{written}:{web.port}/hop3"
    args[args.index("welt.ltd:127.0.0.1")] = f"{pin}:127.0.0.1"
    code = main([*args, "--no-cache"])
    finding = json.loads(capsys.readouterr().out)
    details = " ".join(e["detail"] for e in finding["evidence"])
    assert "unchecked host" not in details
    assert {"redirect-chain", "final-url", "page-claim"} <= {e["kind"] for e in finding["evidence"]}
    assert web.paths()[:2] == ["/hop3", "/article"]
    assert web.requests[0].headers["host"] == f"xn--wlt-bma.de:{web.port}"
    assert code == 1
