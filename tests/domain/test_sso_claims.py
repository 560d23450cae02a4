"""Reading an identity provider's claims: verified e-mail, roles through the mapping, the cohort."""

import pytest

from app.domain.sso_claims import (
    RoleMapError,
    claim_values,
    cohort_named,
    parse_role_map,
    roles_granted,
    verified_email,
)

ROLES = ("trainee", "author", "trainer", "admin")


def test_a_role_map_reads_values_to_roles_and_one_value_may_grant_several():
    mapping = parse_role_map("oda-trainee=trainee, oda-staff=trainer\noda-staff=author,,", ROLES)
    assert mapping == {"oda-trainee": {"trainee"}, "oda-staff": {"trainer", "author"}}
    assert parse_role_map("", ROLES) == {}
    assert parse_role_map("group:trainees=trainee", ROLES) == {"group:trainees": {"trainee"}}


@pytest.mark.parametrize("text", ["oda-trainee", "oda-x=superuser", "=trainee"])
def test_a_role_map_entry_that_cannot_be_read_says_which(text):
    with pytest.raises(RoleMapError, match="OIDC_ROLE_MAP entry"):
        parse_role_map(text, ROLES)


def test_roles_come_only_from_mapped_values():
    mapping = parse_role_map("oda-trainee=trainee,oda-trainer=trainer", ROLES)
    assert roles_granted({"groups": ["oda-trainee", "oda-trainer", "x"]}, "groups", mapping) == {
        "trainee",
        "trainer",
    }
    assert roles_granted({"groups": ["marketing"]}, "groups", mapping) == set()
    assert roles_granted({}, "groups", mapping) == set()
    assert roles_granted({"groups": "oda-trainee oda-x"}, "groups", mapping) == {"trainee"}


def test_claims_may_be_nested_like_keycloaks_realm_roles():
    claims = {"realm_access": {"roles": ["oda-trainer"]}}
    assert claim_values(claims, "realm_access.roles") == ["oda-trainer"]
    assert claim_values(claims, "realm_access.missing") == []


def test_the_cohort_is_a_whole_string_or_the_first_of_a_list():
    assert cohort_named({"cohort": " Spring 2027 intake "}, "cohort") == "Spring 2027 intake"
    assert cohort_named({"cohort": ["Cohort A", "Cohort B"]}, "cohort") == "Cohort A"
    assert cohort_named({"cohort": "Cohort A"}, "") is None
    assert cohort_named({}, "cohort") is None


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "Ann@Example.test", "email_verified": True}, "ann@example.test"),
        ({"email": "ann@example.test", "email_verified": "true"}, "ann@example.test"),
        ({"email": "ann@example.test", "email_verified": False}, None),
        ({"email": "ann@example.test"}, None),  # unverified unless the provider says so
        ({"email": "ann@example.test", "email_verified": "yes"}, None),
        ({"email_verified": True}, None),
        ({"email": "not-an-address", "email_verified": True}, None),
    ],
)
def test_only_a_verified_email_counts(claims, expected):
    assert verified_email(claims) == expected
