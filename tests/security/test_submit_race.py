"""No revision is written after a filing is submitted, however edits and the submit race each other.

The race is between gunicorn's worker processes, so it is run against the real service: 10 trials of 4 parallel
PUTs of links.self and one POST of links.submit. Each trial's record is then read from the database: the audit
log's submit row names the revision submitted, and no revision, and no edit in the audit log, may come after it.
"""

import json
import threading
import urllib.parse

from subsidy import assessments, review
from subsidy.errors import SubmittedError
from subsidy.schemas import load_profile

TRIALS = 10
PUTS = 4
REFUSED = "已提交审核，不能再修改。"


def _path(link: str) -> str:
    return urllib.parse.urlsplit(link).path


def _race(browser, example, trial):
    created = browser.request("POST", "/api/v1/assessments", json_body=example)
    assert created.status == 201, created
    document = created.json()
    replies = {}
    start = threading.Barrier(PUTS + 1)

    def put(n):
        edited = json.loads(json.dumps(example))
        edited["company"]["name"] = f"杭州示例智能科技有限公司（第{trial}轮修改{n}）"
        start.wait()
        replies[n] = browser.request("PUT", _path(document["links"]["self"]), json_body=edited)

    def submit():
        start.wait()
        replies["submit"] = browser.request("POST", _path(document["links"]["submit"]))

    threads = [threading.Thread(target=put, args=(n,)) for n in range(PUTS)] + [threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(replies) == PUTS + 1, f"trial {trial}: only {sorted(map(str, replies))} answered"
    return document["reference"], replies


def _record(live, reference):
    db = live.db()
    try:
        assessment = db.execute("SELECT id, status, latest_revision FROM assessments WHERE reference = ?",
                                [reference]).fetchone()
        audit = db.execute("SELECT id, at, action, after FROM audit_log WHERE assessment_id = ? ORDER BY id",
                           [assessment[0]]).fetchall()
        revisions = db.execute("SELECT revision, created_at FROM revisions WHERE assessment_id = ? ORDER BY revision",
                               [assessment[0]]).fetchall()
    finally:
        db.close()
    return assessment, audit, revisions


def test_parallel_edits_and_a_submit_leave_no_revision_after_the_submission(serve, example_profile):
    live = serve(workers=4)  # several processes: the PUTs and the submit land on different workers
    browser = live.browser()
    accepted = refused = 0
    for trial in range(1, TRIALS + 1):
        reference, replies = _race(browser, example_profile, trial)
        assert replies["submit"].status == 200 and replies["submit"].json()["status"] == "submitted", replies
        (_, status, latest), audit, revisions = _record(live, reference)
        submits = [row for row in audit if row[2] == "submit"]
        assert len(submits) == 1, audit
        submit_id, submitted_at, _, after = submits[0]
        submitted = json.loads(after)["revision"]
        # The submitted revision is the last one there is, and the last edit came before the submission.
        assert status == "submitted" and latest == submitted == revisions[-1][0], (trial, latest, submitted, revisions)
        assert all(row[0] < submit_id for row in audit if row[2] == "edit"), (trial, audit)
        assert all(created <= submitted_at for _, created in revisions), (trial, revisions, submitted_at)
        for n in range(PUTS):
            reply = replies[n]
            if reply.status == 200:
                accepted += 1
                assert reply.json()["revision"] <= submitted, (trial, n, reply)
            else:
                refused += 1
                assert reply.status == 409 and reply.json() == {"errors": {"_request": [REFUSED]}}, (trial, n, reply)
        current = browser.request("GET", _path(json.loads(json.dumps(replies["submit"].json()))["links"]["self"]))
        assert current.json()["revision"] == submitted
    assert accepted + refused == TRIALS * PUTS


def test_an_edit_that_was_allowed_to_start_is_refused_where_it_writes(app, example):
    """The check inside revise()'s transaction: an edit that began on a draft, written after the submit."""
    from subsidy.db import connect

    db = connect(app.config["DATABASE"])
    try:
        engine = app.extensions["subsidy.engine"]
        secret = app.config["VERIFY_SECRET"]
        saved = assessments.create(db, load_profile(example), engine, secret)
        draft = assessments.find(db, token=saved["token"])  # what the PUT read before evaluating: a draft
        review.submit(db, draft, actor="api")
        try:
            assessments.revise(db, saved["token"], load_profile(example), engine, secret)
        except SubmittedError as error:
            assert error.assessment["status"] == "submitted"
        else:
            raise AssertionError("a revision was written after the submission")
        assert [row["revision"] for row in db.table("revisions").rows_where("assessment_id = ?", [saved["id"]])] == [1]
        submit_rows = list(db.table("audit_log").rows_where("action = 'submit'"))
        assert json.loads(submit_rows[0]["after"]) == {"status": "submitted", "revision": 1}
    finally:
        db.close()
