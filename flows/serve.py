"""`wirewatch serve`: every deployment served from one process (prefect.serve), for a single box.
The same schedules as deployments/prefect.yaml."""

from __future__ import annotations

from prefect import serve

from flows.ingest import backfill, digest, ingest, retag


def serve_all() -> None:
    serve(
        ingest.to_deployment(name="ingest", interval=60, concurrency_limit=1),
        digest.to_deployment(name="digest", cron="0 7 * * *", parameters={"hours": 24}),
        backfill.to_deployment(name="backfill", parameters={"paths": ["seeds"]}),
        retag.to_deployment(name="retag", parameters={"days": 14}),
    )
