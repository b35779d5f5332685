"""The one-statement drawdown on PostgreSQL writes every column the ORM model has."""

from __future__ import annotations

import re

from bilateral.office import services
from bilateral.office.models import Shipment


def test_the_drawdown_statement_inserts_every_shipment_column() -> None:
    sql = str(services._DRAW)
    inserted = re.search(r"INSERT INTO shipments \(([^)]*)\)", sql)
    assert inserted is not None
    columns = [c.strip() for c in inserted.group(1).split(",")]
    assert sorted(columns) == sorted(c.name for c in Shipment.__table__.columns if c.name != "id")
