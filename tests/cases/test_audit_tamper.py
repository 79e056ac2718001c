"""Every way of rewriting the audit log is reported by `monitor audit verify`, on both backends.

The log is built by the real services (users, a case, resolutions carried out through the
local ledger); the tampering goes straight to the table, as someone who owns the database
would do it, then the real command is run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from casework import link_author, make_case, make_customer, make_order, make_user
from click.testing import CliRunner, Result
from factories import T0
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from tamper import execute, forge, owner_rights, rehash_from

from monitor.cases.audit_verify import verify_chain
from monitor.cases.order_system import LedgerOrderSystem
from monitor.cases.orders import link_order
from monitor.cases.resolutions import approve_resolution, reject_resolution, request_resolution
from monitor.cli import main
from monitor.config import ClearanceSettings
from monitor.db.engine import AuditKey, session_factory
from monitor.db.models import AuditEntry, Resolution
from monitor.submissions import new_key

KEY = "k" * 16 + "0123456789abcdef-audit"  # 38 characters, only for these tests
SIGNING = AuditKey(KEY.encode())
NOW = T0 + timedelta(hours=2)
POLICY = ClearanceSettings()


@pytest.fixture
def signed(engine: Engine) -> Iterator[Session]:
    with session_factory(engine, audit_key=SIGNING)() as session:
        yield session


def build_log(session: Session) -> dict[str, int]:
    """Users, a case, and four resolutions: executed at once, approved, rejected, pending."""
    agent = make_user(session, "agent", "agent")
    supervisor = make_user(session, "supervisor", "supervisor")
    customer = make_customer(session)
    case = make_case(session, "my $650 headphones never arrived", 90)
    link_author(session, case, customer)
    make_order(session, customer, "111-0000001-0000001", "650.00")
    make_order(session, customer, "111-0000002-0000002", "80.00")
    for order in ("111-0000001-0000001", "111-0000002-0000002"):
        link_order(session, agent, case.id, order, key=new_key())
    ledger = LedgerOrderSystem(session)

    def ask(action: str, amount: str, order: str | None) -> Resolution:
        return request_resolution(
            session, agent, case.id, action, amount=amount, order_id=order, policy=POLICY,
            order_system=ledger, now=NOW, key=new_key(),
        ).resolution  # fmt: skip

    small = ask("refund", "40", "111-0000002-0000002")
    big = ask("refund", "600", "111-0000001-0000001")
    approve_resolution(
        session, supervisor, big.id, policy=POLICY, order_system=ledger, now=NOW, key=new_key()
    )
    credit = ask("goodwill_credit", "90", None)
    reject_resolution(
        session, supervisor, credit.id, "a voucher was already sent", now=NOW, key=new_key()
    )
    waiting = ask("goodwill_credit", "60", None)
    session.commit()
    return {"small": small.id, "big": big.id, "credit": credit.id, "waiting": waiting.id}


def entry_ids(session: Session) -> list[int]:
    return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MONITOR_AUDIT_KEY", KEY)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args))


def assert_broken(result: Result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_untouched_log_verifies_with_signatures_and_money(signed: Session, cli) -> None:
    build_log(signed)
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    count = len(entry_ids(signed))
    assert f"{count} entries, chain intact, {count} signatures valid" in result.output
    assert "resolutions and ledger match the log" in result.output
    assert "HMAC: " + str(count) + " signatures checked with the key in $MONITOR_AUDIT_KEY" in (
        result.output
    )


def test_money_rows_carry_amount_currency_order_and_reference(signed: Session) -> None:
    ids = build_log(signed)
    entries = {
        (e.entity_id, e.action): e.after
        for e in signed.scalars(select(AuditEntry).where(AuditEntry.entity == "resolution"))
    }
    request = entries[(str(ids["big"]), "resolution.request")]
    assert (request["amount"], request["currency"], request["order_id"]) == (
        "600.00", "USD", "111-0000001-0000001",
    )  # fmt: skip
    approved = entries[(str(ids["big"]), "resolution.approve")]
    assert approved["amount"] == "600.00" and approved["currency"] == "USD"
    executed = entries[(str(ids["big"]), "resolution.execute")]
    reference = signed.get_one(Resolution, ids["big"]).external_reference
    assert executed["reference"] == reference and reference.startswith("ledger-")
    assert executed["amount"] == "600.00" and executed["order_id"] == "111-0000001-0000001"
    rejected = entries[(str(ids["credit"]), "resolution.reject")]
    assert rejected["amount"] == "90.00" and rejected["status"] == "rejected"


def test_edited_entry_is_named(signed: Session, cli) -> None:
    build_log(signed)
    target = entry_ids(signed)[4]
    execute(signed, "UPDATE audit_log SET actor = 'mallory' WHERE id = :id", id=target)
    assert_broken(cli("audit", "verify"), f"chain broken at entry {target}: content was changed")


def test_deleted_middle_entry_names_the_next_one(signed: Session, cli) -> None:
    build_log(signed)
    ids = entry_ids(signed)
    execute(signed, "DELETE FROM audit_log WHERE id = :id", id=ids[3])
    assert_broken(cli("audit", "verify"), f"chain broken at entry {ids[4]}: does not follow")


def test_reordered_entries_are_named(signed: Session, cli) -> None:
    build_log(signed)
    a, b = entry_ids(signed)[2:4]
    with owner_rights(signed):  # swap two entries' places
        signed.execute(text("UPDATE audit_log SET id = -1 WHERE id = :a"), {"a": a})
        signed.execute(text("UPDATE audit_log SET id = :a WHERE id = :b"), {"a": a, "b": b})
        signed.execute(text("UPDATE audit_log SET id = :b WHERE id = -1"), {"b": b})
    assert_broken(cli("audit", "verify"), f"chain broken at entry {a}: does not follow")


def _checkpoint(cli, tmp_path: Path) -> Path:
    path = tmp_path / "anchor" / "audit-checkpoint.json"
    written = cli("audit", "checkpoint", "--output", str(path))
    assert written.exit_code == 0, written.output
    return path


def test_deleted_tail_is_caught_by_the_checkpoint(signed: Session, cli, tmp_path: Path) -> None:
    build_log(signed)
    path = _checkpoint(cli, tmp_path)
    ids = entry_ids(signed)
    assert json.loads(path.read_text())["entries"] == len(ids)
    matched = cli("audit", "verify", "--checkpoint", str(path))
    assert matched.exit_code == 0 and f"({len(ids)} entries) matches" in matched.output
    assert "checkpoint: none given" in cli("audit", "verify").output
    execute(signed, "DELETE FROM audit_log WHERE id >= :id", id=ids[-3])
    # The tail held money entries, so the money check notices even without the checkpoint...
    assert_broken(cli("audit", "verify"), "resolution")
    # ...and the checkpoint names the truncation itself.
    assert_broken(
        cli("audit", "verify", "--checkpoint", str(path)),
        f"it has {len(ids) - 3} entries but the checkpoint",
    )


def test_deleted_tail_without_money_is_caught_only_by_the_checkpoint(
    signed: Session, cli, tmp_path: Path
) -> None:
    build_log(signed)
    for n in range(10):
        make_user(signed, f"extra{n}", "analyst")
    signed.commit()
    path = _checkpoint(cli, tmp_path)
    ids = entry_ids(signed)
    execute(signed, "DELETE FROM audit_log WHERE id > :id", id=ids[-11])
    # The chain alone cannot see a shorter log: the reason the checkpoint exists.
    assert cli("audit", "verify").exit_code == 0
    assert_broken(cli("audit", "verify", "--checkpoint", str(path)), "entries were deleted")


def test_deleting_everything_is_reported(signed: Session, cli, tmp_path: Path) -> None:
    ids = build_log(signed)
    path = _checkpoint(cli, tmp_path)
    execute(signed, "DELETE FROM audit_log")
    assert_broken(cli("audit", "verify"), f"resolution {ids['small']} (refund 40.00 USD) has no")
    assert_broken(cli("audit", "verify", "--checkpoint", str(path)), "it has 0 entries")


def test_recomputed_chain_fails_the_signatures(signed: Session, cli) -> None:
    build_log(signed)
    target = entry_ids(signed)[2]
    with owner_rights(signed):
        signed.execute(
            text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": target}
        )
    rehash_from(signed, target)  # hashes consistent again, signatures dropped
    assert_broken(cli("audit", "verify"), f"chain broken at entry {target}: is not signed")
    rehash_from(signed, target, key=b"a guessed key that is not the real one")
    assert_broken(cli("audit", "verify"), f"chain broken at entry {target}: its HMAC signature")
    rehash_from(signed, entry_ids(signed)[0])  # the whole log, unsigned from the first entry
    assert_broken(cli("audit", "verify"), f"chain broken at entry {entry_ids(signed)[0]}: is not")


def test_recomputed_chain_without_a_key_fails_the_checkpoint(
    session: Session, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_AUDIT_KEY")
    build_log(session)
    path = _checkpoint(cli, tmp_path)
    ids = entry_ids(session)
    with owner_rights(session):
        session.execute(
            text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": ids[1]}
        )
    rehash_from(session, ids[1])
    plain = cli("audit", "verify")
    assert (
        plain.exit_code == 0 and "HMAC: not checked, no key in $MONITOR_AUDIT_KEY" in plain.output
    )
    assert_broken(
        cli("audit", "verify", "--checkpoint", str(path)),
        f"chain broken at entry {ids[-1]}: entry number {len(ids)} does not match the checkpoint",
    )


def test_forged_approval_is_reported(signed: Session, cli) -> None:
    ids = build_log(signed)
    forge(signed, "resolution.approve", "resolution", str(ids["waiting"]),
          {"status": "approved", "amount": "60.00"}, actor="supervisor")  # fmt: skip
    forged = entry_ids(signed)[-1]
    assert_broken(cli("audit", "verify"), f"chain broken at entry {forged}: is not signed")
    # Without the key the forgery still contradicts the resolutions table.
    without_key = CliRunner().invoke(main, ["audit", "verify"], env={"MONITOR_AUDIT_KEY": ""})
    assert_broken(without_key, f"chain broken at entry {forged}: entry records resolution.approve")
    assert "is pending_approval without an approver" in without_key.output
    # A second decision on an already decided request is named too.
    forge(signed, "resolution.approve", "resolution", str(ids["credit"]),
          {"status": "approved"}, actor="supervisor")  # fmt: skip
    again = CliRunner().invoke(main, ["audit", "verify"], env={"MONITOR_AUDIT_KEY": ""})
    assert_broken(again, f"chain broken at entry {forged + 1}: resolution {ids['credit']} "
                  "(goodwill_credit 90.00 USD) was decided 2 times")  # fmt: skip


def test_resolution_changed_in_the_table_is_reported(signed: Session, cli) -> None:
    ids = build_log(signed)
    signed.execute(text("UPDATE resolutions SET amount = 6000 WHERE id = :id"), {"id": ids["big"]})
    signed.commit()
    assert_broken(cli("audit", "verify"), f"resolution {ids['big']} (refund 6000.00 USD) does not")


def test_corrupt_entry_is_named_not_a_traceback(signed: Session, cli) -> None:
    build_log(signed)
    target = entry_ids(signed)[3]
    execute(signed, "UPDATE audit_log SET after = '[1, 2]' WHERE id = :id", id=target)
    assert_broken(cli("audit", "verify"), f"entry {target}: the entry is corrupt: `after` is JSON")
    if signed.get_bind().dialect.name == "sqlite":  # PostgreSQL's json type refuses this
        execute(signed, "UPDATE audit_log SET after = '{\"a\": ' WHERE id = :id", id=target)
        assert_broken(cli("audit", "verify"), "`after` is not valid JSON")
        execute(signed, "UPDATE audit_log SET at = 'yesterday' WHERE id = :id", id=target)
        assert_broken(cli("audit", "verify"), "`at` is not a time")


def test_bad_checkpoint_file_is_one_clear_line(signed: Session, cli, tmp_path: Path) -> None:
    build_log(signed)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    result = cli("audit", "verify", "--checkpoint", str(bad))
    assert result.exit_code == 2 and "is not an audit checkpoint" in result.output
    assert "Traceback" not in result.output
    missing = cli("audit", "verify", "--checkpoint", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "not found" in missing.output
    nowhere = cli("audit", "checkpoint")
    assert nowhere.exit_code == 2 and "--output FILE and/or --route NAME" in nowhere.output


def test_checkpoint_refuses_to_anchor_a_broken_log(signed: Session, cli, tmp_path: Path) -> None:
    build_log(signed)
    execute(signed, "DELETE FROM audit_log WHERE id = :id", id=entry_ids(signed)[2])
    result = cli("audit", "checkpoint", "--output", str(tmp_path / "cp.json"))
    assert result.exit_code == 2 and "no checkpoint written: chain broken" in result.output
    assert not (tmp_path / "cp.json").exists()


def test_checkpoint_goes_through_an_alert_route(
    signed: Session, db_url: str, tmp_path: Path, http, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_log(signed)
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[audit]\ncheckpoint_route = "auditors"\n'
        '[[alerts.routes]]\nname = "auditors"\nurl = "json://127.0.0.1:9/anchor"\n'
    )
    http.post("http://127.0.0.1:9/anchor", status=200)
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    monkeypatch.setenv("MONITOR_AUDIT_KEY", KEY)
    result = CliRunner().invoke(main, ["--config", str(config), "audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    body = json.loads(http.calls[0].request.body)["message"]
    anchor = json.loads(body.splitlines()[-1])
    assert anchor["entries"] == len(entry_ids(signed)) and anchor["head_hash"]


def test_time_with_another_offset_is_stored_and_verified_as_utc(signed: Session) -> None:
    from datetime import timezone

    from monitor.cases.audit import record

    berlin = NOW.astimezone(timezone(timedelta(hours=1)))
    entry = record(signed, "ann", "case.note", "case", 1, at=berlin)
    signed.commit()
    signed.expire_all()
    assert signed.get_one(AuditEntry, entry.id).at == NOW
    assert verify_chain(signed).intact


def test_the_table_refuses_update_and_delete(signed: Session) -> None:
    build_log(signed)
    first = entry_ids(signed)[0]
    for statement in (
        "UPDATE audit_log SET actor = 'mallory' WHERE id = :id",
        "DELETE FROM audit_log WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            signed.execute(text(statement), {"id": first})
        signed.rollback()
    if signed.get_bind().dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only: TRUNCATE"):
            signed.execute(text("TRUNCATE audit_log CASCADE"))
        signed.rollback()
    assert len(entry_ids(signed)) > 10 and verify_chain(signed).intact


def test_a_key_set_on_an_existing_log_starts_at_its_first_signed_entry(
    session: Session, signed: Session, db_url: str, tmp_path: Path
) -> None:
    from monitor.cases.audit import record

    build_log(session)  # written before any key was set
    first_signed = record(signed, "ann", "case.note", "case", 1).id
    signed.commit()
    env = {"MONITOR_DATABASE_URL": db_url, "MONITOR_AUDIT_KEY": KEY}
    refused = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert_broken(refused, f"chain broken at entry {entry_ids(signed)[0]}: is not signed")
    assert "audit.hmac_signed_from" in refused.output
    config = tmp_path / "monitor.toml"
    config.write_text(f"[audit]\nhmac_signed_from = {first_signed}\n", encoding="utf-8")
    accepted = CliRunner().invoke(main, ["--config", str(config), "audit", "verify"], env=env)
    assert accepted.exit_code == 0, accepted.output
    assert f"{first_signed - 1} entries predate the HMAC key" in accepted.output
    assert "1 signatures checked" in accepted.output


def test_verify_uses_the_configured_checkpoint_file(
    signed: Session, db_url: str, tmp_path: Path
) -> None:
    build_log(signed)
    path = tmp_path / "anchor.json"
    config = tmp_path / "monitor.toml"
    config.write_text(f'[audit]\ncheckpoint_file = "{path.as_posix()}"\n', encoding="utf-8")
    env = {"MONITOR_DATABASE_URL": db_url, "MONITOR_AUDIT_KEY": KEY}
    runner = CliRunner()
    written = runner.invoke(main, ["--config", str(config), "audit", "checkpoint"], env=env)
    assert written.exit_code == 0 and path.exists(), written.output
    execute(signed, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)")
    result = runner.invoke(main, ["--config", str(config), "audit", "verify"], env=env)
    assert_broken(result, "entries were deleted")
