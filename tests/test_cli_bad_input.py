"""Every bad input the CLI has met ends the same way: one line saying what happened and what
to do, exit code 2, no traceback, and no file left behind (not even a partial one).

The table builds each case in a fresh folder; the model is never needed, because every one of
these must be refused before scoring starts (the config points at a model that cannot load,
so a check made after loading would fail with a different message).
"""

from __future__ import annotations

import contextlib

# Loaded now: once a test drops root privileges, the private Python install is unreadable.
import encodings.utf_8_sig  # noqa: F401
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.db.engine import make_engine
from monitor.db.migrate import upgrade

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
TIME = "Tue Oct 31 22:10:47 +0000 2017"
BIG = 50 * 1024 * 1024
NOBODY = 65534


def twcs(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


@dataclass
class Case:
    name: str
    args: list[str]  # {dir} is replaced by the case's folder
    expect: str  # a part of the one line
    files: dict[str, bytes | str] = field(default_factory=dict)
    config: str = ""  # extra TOML
    setup: Callable[[Path], None] | None = None
    unprivileged: bool = False  # run as a normal user (root may write anywhere)
    # Found while streaming rows, so after the model has loaded: the real model is used.
    real_model: bool = False


def _read_only(folder: str) -> Callable[[Path], None]:
    def make(base: Path) -> None:
        (base / folder).mkdir()
        (base / folder).chmod(0o555)

    return make


def _folder(name: str) -> Callable[[Path], None]:
    return lambda base: (base / name).mkdir()


POSTS = {"posts.csv": "id,text\n1,my parcel never arrived\n"}

# fmt: off
CASES = [
    # -- where the output goes ------------------------------------------------------------------
    Case("score into a read-only folder", ["score", "{dir}/posts.csv", "-o", "{dir}/ro/out.csv"],
         "cannot write into folder", POSTS, setup=_read_only("ro"), unprivileged=True),
    Case("export into a read-only folder", ["export", "-o", "{dir}/ro/out.csv"],
         "cannot write into folder", setup=_read_only("ro"), unprivileged=True),
    Case("score into an existing folder", ["score", "{dir}/posts.csv", "-o", "{dir}/out"],
         "is a folder: give a file name inside it", POSTS, setup=_folder("out")),
    Case("export into an existing folder", ["export", "-o", "{dir}/out"],
         "is a folder: give a file name inside it", setup=_folder("out")),
    Case("score under a file", ["score", "{dir}/posts.csv", "-o", "{dir}/posts.csv/out.csv"],
         "posts.csv is a file, not a folder", POSTS),
    Case("export under a file", ["export", "-o", "{dir}/notes.txt/out.xlsx", "--format", "xlsx"],
         "notes.txt is a file, not a folder", {"notes.txt": "x"}),
    Case("score under /sys", ["score", "{dir}/posts.csv", "-o", "/sys/scores.csv"],
         "cannot write into folder /sys", POSTS),
    Case("export under /sys", ["export", "-o", "/sys/kernel/report.csv"],
         "cannot write into folder /sys/kernel"),
    Case("score onto its own input", ["score", "{dir}/posts.csv", "-o", "{dir}/posts.csv"],
         "is the input file: refusing to overwrite it", POSTS),
    Case("score onto its own input by another path",
         ["score", "{dir}/posts.csv", "-o", "{dir}/./sub/../posts.csv"],
         "is the input file", POSTS, setup=_folder("sub")),
    # -- huge lines and fields ----------------------------------------------------------------
    Case("score a 50 MB CSV field", ["score", "{dir}/big.csv", "-o", "{dir}/out.csv"],
         "line 2: a field is longer than", {"big.csv": "id,text\n1," + "x" * BIG + "\n"},
         real_model=True),
    Case("score a 50 MB JSONL line", ["score", "{dir}/big.jsonl", "-o", "{dir}/out.csv"],
         "line 1: 52,428,8", {"big.jsonl": '{"id": "1", "text": "' + "x" * BIG + '"}\n'},
         real_model=True),
    Case("replay a 50 MB field", ["replay", "{dir}/big.csv", "--no-score"],
         "a field longer than", {"big.csv": twcs(f"1,a,True,{TIME}," + "x" * BIG + ",,")}),
    Case("replay a 50 MB line", ["replay", "{dir}/big.csv", "--no-score"],
         "no row could be stored", {"big.csv": HEADER + "y" * BIG + "\n"}),
    # -- line endings, dates -----------------------------------------------------------------------
    Case("replay a CR-only file", ["replay", "{dir}/mac.csv", "--no-score"],
         "line endings (CR only)", {"mac.csv": twcs(f"1,a,True,{TIME},hi,,").replace("\n", "\r")}),
    Case("replay a row in year 1", ["replay", "{dir}/old.csv", "--no-score"],
         "is not a possible time",
         {"old.csv": twcs("1,a,True,Mon Jan 01 00:00:00 +0100 0001,hello,,")}),
    Case("replay a row in year 9999", ["replay", "{dir}/far.csv", "--no-score"],
         "is not a possible time",
         {"far.csv": twcs("1,a,True,Fri Dec 31 23:59:59 -0100 9999,hello,,")}),
    Case("export until year 9999", ["export", "-o", "{dir}/r.csv", "--until", "9999-12-31"],
         "--until 9999-12-31 is outside"),
    Case("export since year 1", ["export", "-o", "{dir}/r.csv", "--since", "0001-01-01"],
         "--since 0001-01-01 is outside"),
    # -- what the file really is ---------------------------------------------------------------
    Case("score a whitespace-only file", ["score", "{dir}/ws.csv", "-o", "{dir}/out.csv"],
         "contains only blank lines or spaces", {"ws.csv": "  \n\n \t\n"}),
    Case("replay a whitespace-only file", ["replay", "{dir}/ws.csv", "--no-score"],
         "contains only blank lines or spaces", {"ws.csv": "  \n\n \t\n"}),
    Case("score a NUL-filled file", ["score", "{dir}/nul.csv", "-o", "{dir}/out.csv"],
         "contains only NUL bytes", {"nul.csv": b"\0" * 4096}),
    Case("replay a NUL-filled file", ["replay", "{dir}/nul.csv", "--no-score"],
         "contains only NUL bytes", {"nul.csv": b"\0" * 4096}),
    Case("score a UTF-16 file", ["score", "{dir}/u16.csv", "-o", "{dir}/out.csv"],
         "is UTF-16 text, not UTF-8", {"u16.csv": "id,text\n1,hello\n".encode("utf-16")}),
    Case("score a UTF-16 file without BOM", ["score", "{dir}/u16.csv", "-o", "{dir}/out.csv"],
         "is UTF-16 text", {"u16.csv": "id,text\n1,hello\n".encode("utf-16-le")}),
    Case("replay a UTF-16 file", ["replay", "{dir}/u16.csv", "--no-score"],
         "is UTF-16 text", {"u16.csv": twcs(f"1,a,True,{TIME},hi,,").encode("utf-16")}),
    Case("score a bad byte late in the file", ["score", "{dir}/late.csv", "-o", "{dir}/out.csv"],
         "byte 360013 on line 20002",
         {"late.csv": b"id,text\n" + b"".join(b"%05d,hello there\n" % i for i in range(20000))
          + b"9,caf\xe9\n"}, real_model=True),
    # -- JSONL values that are not text ----------------------------------------------------------
    Case("score JSONL with a numeric id", ["score", "{dir}/p.jsonl", "-o", "{dir}/out.csv"],
         'line 1: "id" is a number, not a string', {"p.jsonl": '{"id": 12, "text": "hi"}\n'},
         real_model=True),
    Case("score JSONL with an object id", ["score", "{dir}/p.jsonl", "-o", "{dir}/out.csv"],
         'line 2: "id" is an object',
         {"p.jsonl": '{"id": "1", "text": "a"}\n{"id": {"x": 1}, "text": "b"}\n'},
         real_model=True),
    Case("score JSONL with a list as text", ["score", "{dir}/p.jsonl", "-o", "{dir}/out.csv"],
         'line 2: "text" is a list',
         {"p.jsonl": '{"id": "1", "text": "a"}\n{"id": "2", "text": ["b"]}\n'},
         real_model=True),
    # -- configuration ---------------------------------------------------------------------------
    Case("negative daily limit", ["export", "-o", "{dir}/r.csv"],
         "`clearance.daily_limits.agent`", config="[clearance.daily_limits]\nagent = -5\n"),
    Case("negative clearance limit", ["export", "-o", "{dir}/r.csv"],
         "`clearance.limits.senior.refund`", config="[clearance.limits.senior]\nrefund = -1\n"),
    Case("NaN high-value threshold", ["export", "-o", "{dir}/r.csv"],
         "`clearance.high_value_order`", config="[clearance]\nhigh_value_order = nan\n"),
]
# fmt: on


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A folder any user can enter (pytest's own temporary folders are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="monitor-cli-"))
    path.chmod(0o777)
    try:
        yield path
    finally:
        for sub in path.rglob("*"):
            with contextlib.suppress(OSError):
                sub.chmod(0o777 if sub.is_dir() else 0o666)
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def as_normal_user(needed: bool) -> Iterator[None]:
    """Root ignores folder permissions: act as `nobody` while the command runs."""
    if not needed or os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


def _listing(base: Path) -> set[str]:
    return {str(p.relative_to(base)) for p in base.rglob("*")} | {
        p.name for p in Path("/sys").iterdir() if p.name.endswith((".csv", ".partial"))
    }


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_one_line_exit_2_and_leaves_nothing(
    case: Case, world_dir: Path, request: pytest.FixtureRequest
) -> None:
    base = world_dir / "case"
    base.mkdir()
    base.chmod(0o777)
    db = world_dir / "monitor.db"
    upgrade(make_engine(f"sqlite:///{db}"))
    db.chmod(0o666)
    config = world_dir / "monitor.toml"
    if case.real_model:
        request.getfixturevalue("text_model")  # built once per run, in this cache
        model = f'cache_dir = "{request.getfixturevalue("model_cache")}"'
    else:  # a model that cannot load: any case that reaches the model fails differently
        model = f'backend = "huggingface"\ncheckpoint = "{world_dir}/no-such-model"'
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n\n[model]\n{model}\n\n{case.config}',
        encoding="utf-8",
    )
    config.chmod(0o644)
    for name, content in case.files.items():
        path = base / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        path.chmod(0o644)
    if case.setup is not None:
        case.setup(base)
    before = _listing(base)
    args = [arg.replace("{dir}", str(base)) for arg in case.args]

    with as_normal_user(case.unprivileged):
        result: Result = CliRunner().invoke(main, ["--config", str(config), *args])

    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert case.expect in lines[0], lines[0]
    assert _listing(base) == before  # no output, no partial file
