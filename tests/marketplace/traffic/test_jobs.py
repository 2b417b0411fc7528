"""Traffic jobs in the server's own worker thread (the ``make run`` default): a job's progress
over the WebSocket subscription, and cancelling a running assignment."""

from __future__ import annotations

import time
from typing import Any

from starlette.testclient import WebSocketTestSession

from tests.marketplace.community_helpers import Cast
from tests.marketplace.helpers import Api
from tests.marketplace.trips import IMPORT, JOB, TRIPS_CSV, ZONES_CSV, imported_run, wait_for_job

# Plain Frank-Wolfe asked for a gap near the limit of floating point: it runs all its
# iterations, long enough to watch (or stop) it mid-way on the small extract.
LONG = """mutation { runAssignment(period: "morning_peak", demandSource: IMPORTED,
  algorithm: FW, relativeGap: 1e-15, maxIterations: 2000) { id status progress kind } }"""
# Ten times the matrix's trips: congested, so the gap keeps something to close.
HEAVY_TRIPS = (
    TRIPS_CSV.replace(",2000\n", ",20000\n")
    .replace(",1000\n", ",10000\n")
    .replace(",600\n", ",6000\n")
)
CANCEL = "mutation($id: ID!) { cancelJob(id: $id) { id status cancelRequested } }"
PROGRESS = """subscription($id: ID!) { jobProgress(id: $id) {
  status progress stage run { id status iterations } } }"""
RUNS = "query { trafficRuns { id } }"


def _subscribe(ws: WebSocketTestSession, key: str, job_id: str) -> None:
    ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}})
    assert ws.receive_json()["type"] == "connection_ack"
    payload = {"query": PROGRESS, "variables": {"id": job_id}}
    ws.send_json({"id": "1", "type": "subscribe", "payload": payload})


def _until_complete(ws: WebSocketTestSession) -> list[dict[str, Any]]:
    updates: list[dict[str, Any]] = []
    while True:
        message = ws.receive_json()
        if message["type"] == "complete":
            return updates
        assert message["type"] == "next", message
        updates.append(message["payload"]["data"]["jobProgress"])


def _running(api: Api, job_id: str, key: str) -> dict[str, Any]:
    """The job once its worker has reported an iteration (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + 300
    while True:
        job: dict[str, Any] = api.ok(JOB, {"id": job_id}, key=key)["job"]
        if job["status"] == "RUNNING" and job["stage"].startswith("iteration"):
            return job
        assert job["status"] in {"QUEUED", "RUNNING"}, job
        assert time.monotonic() < deadline, job
        time.sleep(0.02)


def test_a_job_runs_and_its_progress_arrives_over_the_subscription(api: Api, cast: Cast) -> None:
    key = cast.planner
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": HEAVY_TRIPS}, key=key)
    queued = api.ok(LONG, key=key)["runAssignment"]
    # Returned at once, before any work: the request no longer waits for the engine.
    assert queued["kind"] == "ASSIGNMENT" and queued["status"] in {"QUEUED", "RUNNING"}
    with api.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        _subscribe(ws, key, queued["id"])
        updates = _until_complete(ws)
    progress = [u["progress"] for u in updates if u["status"] == "RUNNING"]
    iterations = [u for u in updates if u["stage"].startswith("iteration")]
    assert len(iterations) >= 2, updates  # several progress events, not only the outcome
    assert progress == sorted(progress) and 0 < progress[-1] < 1
    last = updates[-1]
    assert last["status"] == "SUCCEEDED" and last["progress"] == 1.0
    # The stored run is the job's result, and what the traffic queries now list.
    assert last["run"]["status"] == "NOT_CONVERGED" and last["run"]["iterations"] == 2000
    assert api.ok(RUNS, key=key)["trafficRuns"][0]["id"] == last["run"]["id"]


def test_cancelling_a_running_assignment_stores_nothing(api: Api, cast: Cast) -> None:
    key = cast.planner
    first = imported_run(api, key)
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": HEAVY_TRIPS}, key=key)
    queued = api.ok(LONG, key=key)["runAssignment"]
    _running(api, queued["id"], key)
    asked = api.ok(CANCEL, {"id": queued["id"]}, key=key)["cancelJob"]
    assert asked["cancelRequested"] and asked["status"] in {"RUNNING", "CANCELLED"}, asked
    job = wait_for_job(api, queued["id"], key=key)
    assert job["status"] == "CANCELLED" and job["run"] is None and job["error"] is None
    assert [r["id"] for r in api.ok(RUNS, key=key)["trafficRuns"]] == [first["id"]]
    # Finished jobs cannot be cancelled; the refusal says why.
    again = api.error(CANCEL, {"id": queued["id"]}, key=key)
    assert again["extensions"]["code"] == "CONFLICT"
    assert "has already finished (CANCELLED)" in again["message"]


def test_only_planners_follow_jobs(api: Api, cast: Cast) -> None:
    api.ok(IMPORT, {"zones": ZONES_CSV, "trips": TRIPS_CSV}, key=cast.planner)
    queued = api.ok(LONG, key=cast.planner)["runAssignment"]
    for query in (JOB, CANCEL):
        refused = api.error(query, {"id": queued["id"]}, key=cast.resident)
        assert refused["extensions"]["code"] == "FORBIDDEN", query
    api.ok(CANCEL, {"id": queued["id"]}, key=cast.planner)
    assert wait_for_job(api, queued["id"], key=cast.planner)["status"] == "CANCELLED"


def test_a_failed_job_reads_in_each_readers_language(api: Api, cast: Cast) -> None:
    # No OD matrix imported: the worker finds it out, with no reader to word it for.
    queued = api.ok(
        'mutation { runAssignment(period: "morning_peak", demandSource: IMPORTED) { id } }',
        key=cast.planner,
    )["runAssignment"]
    english = wait_for_job(api, queued["id"], key=cast.planner)["error"]
    french = wait_for_job(Api(api.client, language="fr"), queued["id"], key=cast.planner)["error"]
    assert english["code"] == french["code"] == "NOT_FOUND"
    assert english["message"] == "no OD matrix was imported yet; call importDemand first"
    assert french["message"].startswith("aucune matrice origine-destination importée")
    # The stored wording is the job's own business: the details show none of it.
    assert english["details"] is None and french["details"] is None
