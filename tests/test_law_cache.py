"""The compiled-law cache: a start from the cache answers from exactly the law on disk.

The cache is keyed by the bytes of every law data file, the HS tables and the loader's
code, so editing any of them gives a freshly checked load, never a stale answer.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
import yaml

from bilateral.errors import LawDataError
from bilateral.law import compiled, loader
from bilateral.law.loader import load


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    return folder


def _forbid_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(root: object = None) -> None:
        raise AssertionError("the law was parsed again although the cache is current")

    monkeypatch.setattr(compiled, "load", refuse)


def test_a_second_start_reads_the_cached_law_without_parsing_it(
    law_copy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = compiled.load_cached(law_copy, folder=cache)
    assert list(cache.glob("law-*.pickle")), "the first load wrote no cache file"
    _forbid_loading(monkeypatch)
    second = compiled.load_cached(law_copy, folder=cache)
    assert second.law_version == first.law_version
    assert second.rules == first.rules
    assert second.person_lists == first.person_lists


def test_the_cached_law_is_the_law_loaded_from_the_yaml(law_copy: Path, cache: Path) -> None:
    compiled.load_cached(law_copy, folder=cache)
    cached = compiled.load_cached(law_copy, folder=cache)
    fresh = load(law_copy)
    assert cached == fresh


def test_editing_a_rule_invalidates_the_cache(law_copy: Path, cache: Path) -> None:
    before = compiled.load_cached(law_copy, folder=cache)
    path = law_copy / "instruments/notice-148.yaml"
    text = path.read_text(encoding="utf-8")
    old = "valid_to: 2017-06-19"
    assert old in text
    path.write_text(text.replace(old, "valid_to: 2017-06-20", 1), encoding="utf-8")
    after = compiled.load_cached(law_copy, folder=cache)
    assert after.law_version != before.law_version
    ends = {
        r.valid_to for r in after.rules.values() if r.instrument == "Notice to Exporters No. 148"
    }
    assert ends and all(str(d) == "2017-06-20" for d in ends if d is not None)


def test_a_broken_edit_is_refused_not_answered_from_the_cache(law_copy: Path, cache: Path) -> None:
    compiled.load_cached(law_copy, folder=cache)
    path = law_copy / "instruments/notice-172.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("url: ", "url: not-a-url ", 1), encoding="utf-8")
    with pytest.raises(LawDataError):
        compiled.load_cached(law_copy, folder=cache)


def test_a_new_data_file_invalidates_the_cache(law_copy: Path, cache: Path) -> None:
    key = compiled.cache_key(law_copy)
    (law_copy / "instruments" / "README.txt").write_text("a note\n", encoding="utf-8")
    assert compiled.cache_key(law_copy) != key


def test_a_remembered_key_is_not_used_once_a_file_changes_even_to_the_same_size_and_mtime(
    law_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key is remembered under the files' status; an edit that keeps the size and puts
    # the modification time back (as `touch -r` would) still changes the change time.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("BILATERAL_LAW_CACHE", "on")
    monkeypatch.setattr(compiled, "_SETTLED_S", 0.0)  # the copy has just been written
    hashed: list[int] = []
    content_key = compiled._content_key
    monkeypatch.setattr(compiled, "_content_key", lambda f: hashed.append(1) or content_key(f))
    key = compiled.cache_key(law_copy)
    assert compiled.cache_key(law_copy) == key and len(hashed) == 1, "the key was not remembered"
    path = law_copy / "instruments/notice-148.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "valid_to: 2017-06-19" in text
    path.write_text(text.replace("2017-06-19", "2017-06-18", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert compiled.cache_key(law_copy) != key
    assert len(hashed) == 2


def test_a_file_changed_in_the_last_seconds_is_hashed_every_time(
    law_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("BILATERAL_LAW_CACHE", "on")
    hashed: list[int] = []
    content_key = compiled._content_key
    monkeypatch.setattr(compiled, "_content_key", lambda f: hashed.append(1) or content_key(f))
    compiled.cache_key(law_copy)
    compiled.cache_key(law_copy)
    assert len(hashed) == 2  # the copy is seconds old: its status may not show a next write


def test_a_change_to_the_loader_code_invalidates_the_cache(
    tmp_path: Path, law_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = compiled.cache_key(law_copy)
    package = tmp_path / "bilateral"
    (package / "law").mkdir(parents=True)
    (package / "goods").mkdir()
    source = compiled._PACKAGE
    for pattern in compiled._CODE:
        for file in source.glob(pattern):
            target = package / file.relative_to(source)
            target.write_bytes(file.read_bytes())
    monkeypatch.setattr(compiled, "_PACKAGE", package)
    assert compiled.cache_key(law_copy) == key
    loader_py = package / "law" / "loader.py"
    loader_py.write_text(loader_py.read_text(encoding="utf-8") + "\n# changed\n", "utf-8")
    assert compiled.cache_key(law_copy) != key


def test_a_corrupt_cache_file_is_rebuilt(law_copy: Path, cache: Path) -> None:
    compiled.load_cached(law_copy, folder=cache)
    (path,) = cache.glob("law-*.pickle")
    path.write_bytes(b"not a pickle")
    bundle = compiled.load_cached(law_copy, folder=cache)
    assert bundle.law_version == load(law_copy).law_version
    with path.open("rb") as handle:
        assert isinstance(pickle.load(handle), compiled._Cached)


def test_a_cache_file_of_another_key_is_not_used(law_copy: Path, cache: Path) -> None:
    compiled.load_cached(law_copy, folder=cache)
    (path,) = cache.glob("law-*.pickle")
    with path.open("rb") as handle:
        cached = pickle.load(handle)
    forged = compiled._Cached("0" * 64, cached.bundle, cached.hs_editions, cached.country_table)
    path.write_bytes(pickle.dumps(forged))
    assert compiled._read(path, compiled.cache_key(law_copy)) is None


def test_a_cache_directory_that_cannot_be_made_means_no_cache(
    law_copy: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")  # even root cannot make a directory inside it
    bundle = compiled.load_cached(law_copy, folder=blocker / "bilateral")
    assert bundle.law_version == load(law_copy).law_version


def test_a_cache_directory_others_can_write_is_not_trusted(law_copy: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    bundle = compiled.load_cached(law_copy, folder=shared)
    assert bundle.law_version == load(law_copy).law_version
    assert not list(shared.glob("law-*.pickle")), "a pickle was written where others can write"


def test_the_cache_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILATERAL_LAW_CACHE", "off")
    assert compiled.cache_dir() is None
    monkeypatch.setenv("BILATERAL_LAW_CACHE", "on")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert compiled.cache_dir() == Path("/somewhere/bilateral")


def test_libyaml_reads_every_bundled_file_as_the_python_loader_does() -> None:
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        pytest.skip("PyYAML built without libyaml")
    base = resources.files("bilateral.law").joinpath("data")
    files = [
        text
        for sub in ("instruments", "lists", "interpretations")
        for _, text in loader._files(base, sub)
    ]
    assert files
    for text in files:
        assert yaml.load(text, Loader=fast) == yaml.safe_load(text)


def _imports_after(question: list[str], env: dict[str, str]) -> set[str]:
    script = (
        "import sys, contextlib, io\n"
        "from bilateral.faces.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({question!r}) == 0\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return set(done.stdout.split())


def test_a_question_at_the_terminal_imports_neither_the_office_nor_yaml(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "BILATERAL_LAW_CACHE": "on"}
    question = ["check", "export", "--to", "BY", "--on", "2014-12-01", "--hs", "0402.10"]
    first = _imports_after(question, env)  # cold: parses the YAML and fills the cache
    assert "yaml" in first
    warm = _imports_after(question, env)
    assert "yaml" not in warm, "a warm start parsed the law again"
    assert "pycountry" not in warm, "a warm start rebuilt the country table"
    assert not {m for m in warm if m.startswith("bilateral.office")}
    assert not {m for m in warm if m.split(".")[0] in ("duckdb", "pyarrow", "sqlalchemy")}


@pytest.mark.parametrize(
    "question",
    [
        ["check", "export", "--to", "BY", "--on", "2022-08-01", "--hs", "3104.20"],
        ["check", "import", "--from", "RU", "--on", "2023-06-01", "--hs", "7601.10"],
        ["check", "party", "Lukashenko", "--on", "2024-01-01"],
    ],
)
def test_a_warm_answer_never_imports_pydantic(tmp_path: Path, question: list[str]) -> None:
    # The law's types are dataclasses read from the cache; pydantic (a tenth of a second to
    # import) is for validating the YAML, which a warm start does not read.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "BILATERAL_LAW_CACHE": "on"}
    cold = _imports_after(question, env)
    assert "pydantic" in cold, "the cold start validated the law with pydantic"
    warm = _imports_after(question, env)
    assert not {m for m in warm if m.split(".")[0] in ("pydantic", "pydantic_core")}


def test_help_still_lists_the_office_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bilateral.faces.cli", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "serve" in done.stdout and "check" in done.stdout


@pytest.mark.parametrize("cached", ["on", "off"])
def test_dates_and_country_names_are_babels_from_the_cache_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: str
) -> None:
    import datetime as dt

    from babel import Locale
    from babel.dates import format_date

    from bilateral.faces import verdict

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("BILATERAL_LAW_CACHE", cached)
    days = [dt.date(1997, 1, 1) + dt.timedelta(days=37 * i) for i in range(300)]
    for _ in range(2):  # the first fills the cache, the second reads it
        verdict._cldr.cache_clear()
        for lang, locale in (("en", "en_CA"), ("fr", "fr_CA")):
            names = Locale.parse(locale).territories
            for day in days:
                babel = format_date(day, "long", locale=locale)
                if lang == "fr" and day.day == 1:  # the first of a month: 1er juin
                    babel = "1er" + babel[1:]
                assert verdict.long_date(day, lang) == babel
            for code in ("BY", "KP", "MM", "CI", "CA", "XK", "ZZZ"):
                assert verdict.country_name(code, lang) == names.get(code, code)
    assert verdict.long_date("2014-12-01", "fr") == "1er décembre 2014"
    assert verdict.long_date("2014-12-02", "fr") == "2 décembre 2014"
    assert verdict.long_date("2014-12-01", "en") == "December 1, 2014"
    verdict._cldr.cache_clear()


def test_the_indexed_law_is_cached_and_answers_as_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bilateral.engine import law

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("BILATERAL_LAW_CACHE", raising=False)
    law.default_law.cache_clear()
    try:
        first = law.default_law()
        assert list((tmp_path / "bilateral").glob("engine-law-*.pickle"))
        law.default_law.cache_clear()
        monkeypatch.setattr(law, "Law", _refuse_indexing(law.Law))
        second = law.default_law()
    finally:
        law.default_law.cache_clear()
    assert second.law_version == first.law_version
    assert second.change_dates == first.change_dates
    assert second._by_kind.keys() == first._by_kind.keys()


def _refuse_indexing(cls: type) -> type:
    class Refuse(cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object) -> None:
            raise AssertionError("the law was indexed again although the cache is current")

    return Refuse


@pytest.mark.parametrize("cached", ["on", "off"])
def test_rates_are_babels_percent_from_the_cache_or_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: str
) -> None:
    from babel.numbers import format_percent

    from bilateral.faces import verdict

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("BILATERAL_LAW_CACHE", cached)
    rates = [0.0, 0.5, 2.5, 6.125, 10.0, 35.0, 100.0, 1234.5, 0.005, 12.345]
    for _ in range(2):  # the first fills the cache, the second reads it
        verdict._percents.cache_clear()
        for lang, locale, pattern in (
            ("en", "en_CA", "#,##0.##%"),
            ("fr", "fr_CA", "#,##0.##\u00a0%"),
        ):
            for rate in rates:
                babel = format_percent(rate / 100, locale=locale, format=pattern)
                assert verdict.percent(rate, lang) == babel
    assert bool(list((tmp_path / "bilateral").glob("cldr-percent-*.pickle"))) == (cached == "on")
    # French sets the percent sign apart with a no-break space (35 %)
    assert verdict.percent(35.0, "fr") == "35\u00a0%"
    assert verdict.percent(6.5, "fr") == "6,5\u00a0%"
    assert verdict.percent(35.0, "en") == "35%"
    verdict._percents.cache_clear()


def test_the_party_index_is_cached_and_answers_as_a_fresh_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from bilateral.engine import law, party

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("BILATERAL_LAW_CACHE", raising=False)
    law.default_law.cache_clear()
    party._INDEXES.clear()
    try:
        fresh = party.determine_party(
            law.default_law(), "Lukashenko Alexander", dt.date(2024, 1, 1)
        )
        assert len(list((tmp_path / "bilateral").glob("party-index-*.pickle"))) >= 1
        built = {k: (i.rows, i._exact, i._postings) for k, i in party._INDEXES.items()}
        law.default_law.cache_clear()
        party._INDEXES.clear()
        monkeypatch.setattr(party, "name_keys", _only_for("Lukashenko Alexander"))
        stored = party.determine_party(
            law.default_law(), "Lukashenko Alexander", dt.date(2024, 1, 1)
        )
        assert stored.listed and stored.matches
        assert [(m.person.item, m.matched_name, m.kind) for m in stored.matches] == [
            (m.person.item, m.matched_name, m.kind) for m in fresh.matches
        ]
        again = {k: (i.rows, i._exact, i._postings) for k, i in party._INDEXES.items()}
        assert sorted(map(repr, built.values())) == sorted(map(repr, again.values()))
    finally:
        law.default_law.cache_clear()
        party._INDEXES.clear()


def _only_for(query: str) -> Callable[[str], tuple[str, ...]]:
    from bilateral.engine.names import name_keys

    def keys(name: str) -> tuple[str, ...]:
        if name != query:
            raise AssertionError(f"name keys computed for {name!r}: no cached index used")
        return name_keys(name)

    return keys
