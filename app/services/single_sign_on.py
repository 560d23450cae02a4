"""Accounts for people who sign in through the company's identity provider (OpenID Connect).

Matched by the provider's verified e-mail, or created on the first sign-in. Roles come from the roles claim
through OIDC_ROLE_MAP and are added, never taken away (an admin removes roles, as for everyone); a trainee
joins the cohort the cohort claim names when such a cohort exists.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from typing import Any

from app.domain import sso_claims
from app.models import Role, User
from app.services import ServiceError, accounts

log = logging.getLogger(__name__)


class SignInRefused(ServiceError):
    """The provider vouched for the person but they may not use the academy; the message says why and
    whom to ask."""

    def __init__(self, message: str):
        super().__init__(message, 403)


def account_for(claims: Mapping[str, Any], config: Mapping[str, Any]) -> User:
    """The active account these validated id_token claims sign in, created when new (flushed, not committed).

    Refused: no verified e-mail; claims that grant no role (then no account is created, and an existing
    account is not signed in through the provider either); a deactivated account."""
    provider = config["OIDC_PROVIDER_NAME"]
    email = sso_claims.verified_email(claims)
    if email is None:
        raise SignInRefused(
            f"{provider} did not confirm your e-mail address, so it cannot be matched to an account here. "
            "Verify the address with your identity provider, or sign in with your password."
        )
    try:
        role_map = sso_claims.parse_role_map(config["OIDC_ROLE_MAP"], [role.value for role in Role])
    except sso_claims.RoleMapError:
        log.exception("single sign-on refused %s: OIDC_ROLE_MAP cannot be read", email)
        raise SignInRefused("Single sign-on is misconfigured here (OIDC_ROLE_MAP). Tell an admin.") from None
    roles = {Role(role) for role in sso_claims.roles_granted(claims, config["OIDC_ROLES_CLAIM"], role_map)}
    if not roles:
        log.info("single sign-on refused %s: the roles claim grants no role", email)
        raise SignInRefused(
            f"Your {provider} account is not in any group that gives access to the Order Desk Academy. "
            "Ask your administrator to add you to the academy's trainee, trainer or author group."
        )
    user = accounts.find_user(email)
    if user is None:
        if not config.get("OIDC_PROVISION", True):
            raise SignInRefused(f"There is no academy account for {email}. Ask an admin to create one.")
        name = " ".join(claims["name"].split())[:120] or None if isinstance(claims.get("name"), str) else None
        # Nobody knows this password; the person may set one through "Forgot password?" if they want both.
        user = accounts.create_user(email, secrets.token_urlsafe(32), roles, name)
        log.info("account %s created by single sign-on with roles %s", email, sorted(r.value for r in roles))
    elif not user.active:
        raise SignInRefused("Your academy account is deactivated. Ask an admin if you need it again.")
    elif added := roles - user.roles:
        user.set_roles(user.roles | added)
        log.info("roles %s added to %s by single sign-on", sorted(r.value for r in added), email)
    _join_cohort(user, sso_claims.cohort_named(claims, config["OIDC_COHORT_CLAIM"]))
    return user


def _join_cohort(user: User, cohort_name: str | None) -> None:
    """A trainee joins the named cohort; a name no cohort has is logged (admins create cohorts)."""
    if not cohort_name or Role.TRAINEE not in user.roles:
        return
    cohort = accounts.find_cohort(cohort_name)
    if cohort is None:
        log.warning(
            "single sign-on: no cohort named %r for %s; an admin should create it", cohort_name, user.email
        )
        return
    accounts.add_trainee(cohort, user)
