"""The README's worked examples are real output: each `$ bilateral ...` block still prints it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _examples() -> list[tuple[str, list[str]]]:
    blocks: list[tuple[str, list[str]]] = []
    lines = README.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^    \$ (bilateral .+)$", line)
        if not match:
            continue
        shown = []
        for following in lines[i + 1 :]:
            if not following.startswith("    ") or following.startswith("    $ "):
                break
            shown.append(following[4:])
        blocks.append((match.group(1), shown))
    return blocks


@pytest.mark.parametrize(("command", "shown"), _examples(), ids=lambda v: str(v)[:60])
def test_readme_example_prints_what_the_readme_shows(
    command: str, shown: list[str], tmp_path: Path
) -> None:
    args = shlex.split(command)[1:]
    done = subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        # screening logs its answers: into a private folder, not the user's data directory
        env={**os.environ, "BILATERAL_DATA_DIR": str(tmp_path)},
    )
    printed = (done.stdout + done.stderr).splitlines()
    # The README may leave out citation URL lines for brevity; every line it shows must be
    # printed, in order.
    remaining = iter(printed)
    for line in shown:
        assert any(line == out for out in remaining), f"{line!r} not printed by {command}"


def test_the_readme_has_worked_examples() -> None:
    assert len(_examples()) >= 3
