"""The permission table names every permission once, in terms of the one list of roles."""

from __future__ import annotations

import pytest

from monitor.auth.permissions import PERMISSIONS, SYSTEM, Actor, PermissionDenied, require
from monitor.vocab import Permission, Role


def test_every_permission_has_its_roles() -> None:
    assert set(PERMISSIONS) == set(Permission)
    assert all(roles and roles <= set(Role) for roles in PERMISSIONS.values())
    assert all(SYSTEM.role in roles for roles in PERMISSIONS.values())  # the scheduler acts


def test_a_refusal_lists_the_roles_that_may_in_the_one_order() -> None:
    analyst = Actor(user_id=1, username="ana", role=Role.ANALYST)
    with pytest.raises(PermissionDenied) as refused:
        require(analyst, Permission.RESOLUTION_APPROVE)
    assert str(refused.value) == (
        "ana (analyst) may not resolution approve: this needs one of these roles: "
        "senior, supervisor, admin"
    )
