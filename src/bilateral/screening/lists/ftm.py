"""FollowTheMoney (FtM) JSON lines, the format of OpenSanctions: import and export.

Import reads one entity per line (or the ``{"op": …, "entity": …}`` lines of a delta
file); Person, Organization, Company, LegalEntity, Vessel and Airplane entities become
entries, and ``Sanction`` entities give the listing interval (``startDate``, ``endDate``)
and programme of the entities they point at. Export writes each entry as an entity and
its listing as a ``Sanction`` entity, so a list imported here can be read by yente or
nomenklatura.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from bilateral.screening.lists._text import birth_date
from bilateral.screening.model import SCHEMAS, Entry, Snapshot

MODULE = "bilateral.screening.lists.ftm"
_IDS = (
    "idNumber", "passportNumber", "registrationNumber", "innCode", "ogrnCode", "taxNumber",
    "imoNumber", "vatCode", "leiCode", "swiftBic", "okpoCode",
)  # fmt: skip


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{path.name}, line {number}: not JSON ({error.msg})") from None
            if "entity" in data and "op" in data:
                if data["op"] == "DEL":
                    continue
                data = data["entity"]
            yield data


def _date(values: Iterable[str]) -> dt.date | None:
    for value in values:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            continue
    return None


def read_ftm(path: Path, list_id: str | None = None) -> Snapshot:
    raw = list(_lines(path))
    listings: dict[str, list[dict[str, list[str]]]] = {}
    for data in raw:
        if data.get("schema") == "Sanction":
            listing: dict[str, list[str]] = data.get("properties", {})
            for target in listing.get("entity", []):
                listings.setdefault(target, []).append(listing)
    entries: list[Entry] = []
    for data in raw:
        schema = data.get("schema", "")
        if schema not in SCHEMAS:
            continue
        props: dict[str, list[str]] = data.get("properties", {})
        names = props.get("name") or [data.get("caption", "")]
        if not names or not names[0]:
            continue
        sanctions = listings.get(data["id"], [])
        starts = [d for s in sanctions for d in s.get("startDate", [])]
        ends = [d for s in sanctions for d in s.get("endDate", [])]
        programmes = [p for s in sanctions for p in s.get("program", [])]
        nationalities = props.get("nationality", []) + props.get("citizenship", [])
        if schema != "Person":
            nationalities += props.get("country", []) + props.get("jurisdiction", [])
        entries.append(
            Entry(
                id=f"ftm/{data['id']}",
                schema=schema,
                name=names[0],
                aliases=tuple(
                    dict.fromkeys(
                        names[1:] + props.get("alias", []) + props.get("previousName", [])
                    )
                ),
                weak_aliases=tuple(props.get("weakAlias", [])),
                birth_dates=tuple(b for v in props.get("birthDate", []) if (b := birth_date(v))),
                nationalities=tuple(dict.fromkeys(c.upper()[:2] for c in nationalities if c)),
                identifiers=tuple(dict.fromkeys(v for key in _IDS for v in props.get(key, []))),
                programme="; ".join(dict.fromkeys(programmes + props.get("programId", []))),
                listed_from=_date(sorted(starts)),
                listed_to=_date(sorted(ends, reverse=True))
                if ends and len(ends) == len(sanctions)
                else None,
                reference=f"FtM entity {data['id']}"
                + (f" ({', '.join(data['datasets'])})" if data.get("datasets") else ""),
                url=(props.get("sourceUrl") or [""])[0],
            )
        )
    dates = [d for data in raw for d in [data.get("last_change") or data.get("last_seen")] if d]
    return Snapshot(
        list_id=list_id or f"ftm-{path.stem.split('.')[0]}",
        title=f"FollowTheMoney entities from {path.name}",
        source=path.name,
        source_date=_date(sorted(dates, reverse=True)),
        importer=MODULE,
        entries=tuple(entries),
        notes=(
            () if listings else ("No Sanction entities in the file: listing dates are unknown.",)
        ),
    )


def to_ftm(snapshot: Snapshot) -> Iterator[dict[str, Any]]:
    """Entities (and one Sanction per entry) for every entry of a snapshot."""
    for entry in snapshot.entries:
        entity_id = entry.id.replace("/", "-")
        props: dict[str, list[str]] = {"name": [entry.name], "topics": ["sanction"]}
        if entry.aliases:
            props["alias"] = list(entry.aliases)
        if entry.weak_aliases:
            props["weakAlias"] = list(entry.weak_aliases)
        if entry.birth_dates and entry.is_person:
            props["birthDate"] = list(entry.birth_dates)
        if entry.nationalities:
            key = "nationality" if entry.is_person else "country"
            props[key] = [c.lower() for c in entry.nationalities]
        if entry.identifiers:
            props["idNumber"] = list(entry.identifiers)
        yield {"id": entity_id, "schema": entry.schema, "properties": props}
        sanction: dict[str, list[str]] = {
            "entity": [entity_id],
            "authority": [snapshot.title],
            "program": [entry.programme] if entry.programme else [],
            "reason": [entry.reference] if entry.reference else [],
            "sourceUrl": [entry.url] if entry.url else [],
        }
        if entry.listed_from:
            sanction["startDate"] = [entry.listed_from.isoformat()]
        if entry.listed_to:
            sanction["endDate"] = [entry.listed_to.isoformat()]
        yield {
            "id": f"{entity_id}-sanction",
            "schema": "Sanction",
            "properties": {k: v for k, v in sanction.items() if v},
        }


def write_ftm(snapshot: Snapshot, path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for entity in to_ftm(snapshot):
            handle.write(json.dumps(entity, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count
