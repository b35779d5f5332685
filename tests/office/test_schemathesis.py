"""Bad input from the OpenAPI description (schemathesis): no request gets a 5xx.

Bounded: at most 25 examples per operation and per role, no shrinking, a few seconds each.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from bilateral.platform import db
from conftest import Office, RecordingChecks, good_application, make_settings


def _checks() -> Any:
    return RecordingChecks()


@pytest.fixture(scope="module")
def office_for_fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    st = make_settings(tmp)
    engine = db.make_engine(st)
    db.upgrade(st, engine=engine)
    o = Office(st, _checks(), engine)
    a = o.user("alice", "applicant", "Maple Foods")
    off = o.user("oscar", "officer")
    o.user("adam", "admin")
    # something to find: ids 1 exist for application, permit, document
    app_id = o.client.post("/api/applications", json=good_application(), headers=a).json()["id"]
    o.client.post(f"/api/applications/{app_id}/submit", headers=a)
    o.client.post(
        f"/api/applications/{app_id}/decision",
        json={"outcome": "approve", "reasons": "ok"},
        headers=off,
    )
    yield o
    engine.dispose()


def test_no_server_errors(office_for_fuzz: Office) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", office_for_fuzz.app)
    tokens = {who: office_for_fuzz.tokens[who] for who in ("alice", "oscar", "adam")}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1

        @given(case=op.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            for who, token in tokens.items():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                if response.status_code >= 500:
                    failures.append(
                        f"{who} {case.method} {case.formatted_path} "
                        f"{response.status_code} {response.text[:200]}"
                    )

        run()
    assert operations >= 27
    assert not failures, "\n".join(failures[:20])
