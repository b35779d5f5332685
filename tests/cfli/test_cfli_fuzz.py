"""Bad input to the CFLI API from its OpenAPI description (schemathesis): no request gets a
5xx, whoever sends it. Bounded: 15 examples per operation and per role, no shrinking."""

from __future__ import annotations

from typing import Any

import schemathesis
from app_kit import OFFICER_SETS, TODAY, Cfli, draft
from hypothesis import HealthCheck, Phase, given, settings

from bilateral.cfli.web import services as sv
from bilateral.platform import db

CALL = "cfli-belarus-2026-27"


def test_no_server_errors_on_the_cfli_api(sqlite_cfli: Cfli) -> None:
    o = sqlite_cfli
    o.user("olga", "programme_officer", mission="warsaw")
    o.user("mira", "committee_member")
    o.user("ana", "grant_applicant", "Circle")
    o.sync()
    po, ga = o.actor("olga"), o.actor("ana")
    with db.write_session(o.sessions) as s:
        v = sv.new_version(s, po, CALL, OFFICER_SETS, "set", TODAY)
        sv.publish(s, po, CALL, v.version, TODAY)
        sv.assign_member(s, po, CALL, "mira")
        sv.create_proposal(s, ga, CALL, draft(), o.keys, TODAY)
    schema = schemathesis.openapi.from_asgi("/openapi.json", o.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        if not op.path.startswith("/api/cfli"):
            continue
        operations += 1

        @given(case=op.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            for who, token in o.tokens.items():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                if response.status_code >= 500:
                    failures.append(
                        f"{who} {case.method} {case.formatted_path} "
                        f"{response.status_code} {response.text[:200]}"
                    )

        run()
    assert operations >= 30
    assert not failures, "\n".join(failures[:20])
