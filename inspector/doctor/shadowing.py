"""Tool shadowing: a tool named like a tool of another server the person has connected.

A host that connects several servers shows the model all their tools side by side; two
with one name leave it to chance (or to the order the host lists them) which one runs,
and a malicious server can take over a trusted one's tool that way.
"""

from __future__ import annotations

from inspector.doctor.catalog import Listed
from inspector.doctor.examination import Examination
from inspector.doctor.report import Section, Status, seqs

CHECK_ID = "security.shadowing"
MAX_NAMED = 10


def check_shadowing(
    exam: Examination, tools: Listed, other_servers: dict[str, list[str]] | None
) -> None:
    """`other_servers`: each other server's display name and its tool names; None when
    the examination was given none to compare with."""
    if other_servers is None:
        exam.add(
            CHECK_ID,
            Section.SECURITY,
            Status.SKIPPED,
            "Shadowing needs the tools of the other servers a host connects; the command line "
            "examines one server.",
        )
        return
    if not other_servers:
        exam.add(
            CHECK_ID,
            Section.SECURITY,
            Status.SKIPPED,
            "No other connected server lists tools: there is nothing to clash with.",
        )
        return
    own = tools.unique()
    clashes: dict[str, list[str]] = {}
    evidence: list[int] = []
    for item, seq in own:
        name = str(item.get("name", ""))
        owners = sorted(server for server, names in other_servers.items() if name in names)
        if owners:
            clashes[name] = owners
            evidence.append(seq)
    compared = ", ".join(sorted(other_servers))
    if not clashes:
        exam.add(
            CHECK_ID,
            Section.SECURITY,
            Status.PASS,
            f"None of the {len(own)} tools is named like a tool of the other connected "
            f"server(s): {compared}.",
            servers=sorted(other_servers),
        )
        return
    named = "; ".join(
        f"{name} (also on {', '.join(owners)})"
        for name, owners in list(clashes.items())[:MAX_NAMED]
    )
    more = f"; and {len(clashes) - MAX_NAMED} more" if len(clashes) > MAX_NAMED else ""
    exam.add(
        CHECK_ID,
        Section.SECURITY,
        Status.FAIL,
        f"{len(clashes)} tool name(s) clash with another connected server's: {named}{more}. "
        "A host shows the model both; which one runs is left to chance, and a server can "
        "take over another's tool this way. Give the tools distinct (prefixed) names.",
        seqs(evidence),
        clashes=clashes,
    )
