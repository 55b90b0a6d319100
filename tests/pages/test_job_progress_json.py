"""The page-side JSON the job poller reads (``/pekerjaan/<id>/kemajuan``): the session's user
gets the job's progress with the sentence in their language; another agency's user the 404 of
a missing job; a signed-out visitor the sign-in redirect (the script then leaves the link)."""

from __future__ import annotations

import datetime as dt

from flask.testing import FlaskClient

from tests.api.conftest import World
from tests.pages.conftest import sign_in
from tests.support.talent import add_known
from workflow import jobs
from workflow.core.db import Database
from workflow.identity.accounts import actor_by_username


def test_the_progress_json_follows_the_session_user(
    web: FlaskClient, world: World, database: Database
) -> None:
    add_known(database, tenant_id=world.tenant_id["province"])
    with database.read() as session:
        hr = actor_by_username(session, "province.hr")
    queue = jobs.make_queue(database, broker_url="memory://", eager=False, shard_size=5000)
    started = jobs.start_talent_job(
        queue,
        actor=hr,
        agencies=None,
        pack="bkn-national",
        reference_date=None,
        now=dt.datetime.now(dt.UTC),
    )
    url = f"/pekerjaan/{started.job.id}/kemajuan"
    assert web.get(url).status_code == 302  # signed out: to the sign-in page
    sign_in(web, "province.hr")
    answer = web.get(url)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json
    assert body is not None
    total = started.job.candidates_total
    assert (body["state"], body["active"], body["value"], body["max"]) == (
        "queued",
        True,
        0,
        total,
    )
    assert body["label"] == f"0 dari {total} pegawai telah dipetakan (0 dari 1 instansi)"
    jobs.run_talent_shard(queue, job_id=started.job.id, shard=0)
    done = web.get(url).json
    assert done is not None
    assert (done["state"], done["active"], done["value"]) == ("succeeded", False, total)
    other = web.application.test_client()
    sign_in(other, "city.hr")
    assert other.get(url).status_code == 404
    assert other.get("/pekerjaan/999999/kemajuan").status_code == 404
