"""What an identity provider's claims mean here: a verified e-mail, roles through a mapping, a cohort.

Pure functions on the validated id_token claims (a dict) and the settings, so the rules are tested without
a provider. A claim name may be a dotted path into nested claims (Keycloak: `realm_access.roles`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class RoleMapError(ValueError):
    """OIDC_ROLE_MAP cannot be read; the message says which entry and what is expected."""


def parse_role_map(text: str, known_roles: Iterable[str]) -> dict[str, frozenset[str]]:
    """`"oda-trainee=trainee, oda-staff=trainer, oda-staff=author"` -> provider value -> roles granted.

    One provider value may grant several roles (repeat it). Entries are separated by commas or new lines."""
    known = set(known_roles)
    mapping: dict[str, set[str]] = {}
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        value, sep, role = (part.strip() for part in entry.rpartition("="))
        if not sep or not value or role not in known:
            raise RoleMapError(
                f"OIDC_ROLE_MAP entry {entry!r} should read PROVIDER_VALUE=ROLE with ROLE one of "
                f"{', '.join(sorted(known))}"
            )
        mapping.setdefault(value, set()).add(role)
    return {value: frozenset(roles) for value, roles in mapping.items()}


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at a dotted path, or None when any step is missing."""
    value: Any = claims
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """A claim as a list of strings: providers send a list, or one string (space or comma separated)."""
    value = claim(claims, path) if path else None
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        return [str(item) for item in value if isinstance(item, str | int)]
    return [str(value)]


def roles_granted(
    claims: Mapping[str, Any], roles_claim: str, role_map: Mapping[str, frozenset[str]]
) -> set[str]:
    """Every role the mapped provider values grant; empty when none is mapped (the person is refused)."""
    return {role for value in claim_values(claims, roles_claim) for role in role_map.get(value, ())}


def cohort_named(claims: Mapping[str, Any], cohort_claim: str) -> str | None:
    """The cohort the provider names: the claim as one string (a cohort name may contain spaces), or the
    first value of a list; None when the setting or the claim is absent."""
    value = claim(claims, cohort_claim) if cohort_claim else None
    if isinstance(value, list | tuple):
        value = next((item for item in value if isinstance(item, str)), None)
    return value.strip() or None if isinstance(value, str) else None


def verified_email(claims: Mapping[str, Any]) -> str | None:
    """The e-mail, lower-cased, only when the provider vouches for it (`email_verified` true): an unverified
    address would let anyone who types a colleague's address at the provider take over their account."""
    email = claims.get("email")
    verified = claims.get("email_verified")
    if isinstance(verified, str):  # some providers send "true"
        verified = verified.strip().lower() == "true"
    if not isinstance(email, str) or "@" not in email or len(email) > 254 or verified is not True:
        return None
    return email.strip().lower()
