"""Two report cards of one server compared check by check."""

from __future__ import annotations

from typing import Any

from inspector.presenters.doctor_changes import compare


def report(**statuses: str) -> dict[str, Any]:
    checks = [
        {"id": check_id.replace("_", "."), "status": status, "sentence": f"{check_id} {status}"}
        for check_id, status in statuses.items()
    ]
    return {"sections": [{"id": "probes", "checks": checks}]}


def test_each_kind_of_change_is_told_apart() -> None:
    before = report(a_ping="pass", b_unknown="fail", c_speed="warning", d_gone="pass", e_log="pass")
    after = report(
        a_ping="fail", b_unknown="warning", c_speed="warning", e_log="skipped", f_new="fail"
    )
    changes = compare(before, after)
    assert [(c.id, c.before, c.after) for c in changes.worse] == [("a.ping", "pass", "fail")]
    assert [(c.id, c.before, c.after) for c in changes.better] == [("b.unknown", "fail", "warning")]
    assert [(c.id, c.after) for c in changes.new] == [("f.new", "fail")]
    assert [(c.id, c.before) for c in changes.gone] == [("d.gone", "pass")]
    assert [(c.id, c.before, c.after) for c in changes.other] == [("e.log", "pass", "skipped")]
    assert changes.worse[0].sentence == "a_ping fail", "the sentence of the new report"


def test_the_same_report_twice_has_no_change() -> None:
    same = report(a_ping="pass", b_unknown="fail")
    assert not compare(same, same).any
