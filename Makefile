# Developer shortcuts; CI runs .ci/run, which calls the README's test command.
.PHONY: lint test bench import-law

lint:
	ruff format --check .
	ruff check .
	mypy

test:
	pytest

bench:
	python benchmarks/engine_bench.py
	python benchmarks/office_load.py

# Regenerate the law data converted from the official sources (needs ../shared/data).
import-law:
	python -m bilateral.importers.hs_nomenclature
	python -m bilateral.importers.sema_regulations
	python -m bilateral.importers.tariff_orders
	python -m bilateral.importers.general_permits
