"""`flask lti ...`: register LMS platforms, print the tool's configuration, resend scores."""

from __future__ import annotations

import json

import click
from flask import current_app, url_for

from app import clock
from app.extensions import db
from app.services import lti, lti_scores

lti_cli = click.Group("lti", help="LTI 1.3: LMS platforms, the tool's configuration, scores.")

SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
)


@lti_cli.command("add-platform")
@click.option("--name", required=True, help="What people call the LMS, e.g. 'Company Moodle'.")
@click.option("--issuer", required=True, help="The platform's issuer (iss), exactly as the LMS shows it.")
@click.option("--client-id", required=True, help="The client id the LMS gave the tool.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="A deployment id the LMS launches with (repeat for several).",
)
@click.option("--auth-login-url", required=True, help="The LMS's OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="The LMS's OAuth2 access token URL.")
@click.option("--key-set-url", required=True, help="The LMS's public keyset (JWKS) URL.")
@click.option("--audience", default=None, help="Token request audience, when the LMS names one.")
def add_platform(
    name, issuer, client_id, deployment_ids, auth_login_url, auth_token_url, key_set_url, audience
):
    """Register an LMS (or update the registration with the same issuer and client id)."""
    platform = lti.add_platform(
        name, issuer, client_id, list(deployment_ids), auth_login_url, auth_token_url, key_set_url, audience
    )
    db.session.commit()
    click.echo(
        f"Registered {platform.name}: issuer {platform.issuer}, client id {platform.client_id}, "
        f"deployments {', '.join(platform.deployment_ids)}"
    )


@lti_cli.command("platforms")
def list_platforms():
    """The registered LMS platforms."""
    found = lti.platforms()
    for platform in found:
        click.echo(
            f"{platform.name}\n  issuer {platform.issuer}\n  client id {platform.client_id}\n"
            f"  deployments {', '.join(platform.deployment_ids)}\n  login {platform.auth_login_url}\n"
            f"  token {platform.auth_token_url}\n  keys {platform.key_set_url}"
        )
    click.echo(f"{len(found)} platform(s)")


@lti_cli.command("register")
@click.option(
    "--base-url", required=True, help="The academy's public address, e.g. https://academy.example.com"
)
@click.option("--json", "as_json", is_flag=True, help="Print the configuration as JSON.")
def register(base_url: str, as_json: bool):
    """Print what an LMS administrator enters to add the academy as an LTI 1.3 tool."""
    from app.services.lti_tool import tool_key  # pylti1p3 loads when an LTI command runs, not with the app

    with current_app.test_request_context(base_url=base_url.rstrip("/")):
        urls = {
            "oidc_login_initiation_url": url_for("lti.login", _external=True),
            "target_link_uri": url_for("lti.launch", _external=True),
            "redirect_uris": [url_for("lti.launch", _external=True)],
            "deep_linking_url": url_for("lti.launch", _external=True),
            "jwks_url": url_for("lti.jwks", _external=True),
        }
    config = {
        "title": "Order Desk Academy",
        **urls,
        "public_jwk": tool_key().public_jwk,
        "messages": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
        "scopes": list(SCOPES),
        "claims": [
            "sub",
            "name",
            "email",
            "https://purl.imsglobal.org/spec/lti/claim/roles",
            "https://purl.imsglobal.org/spec/lti/claim/context",
        ],
    }
    if as_json:
        click.echo(json.dumps(config, indent=2))
        return
    click.echo(f"""Order Desk Academy as an LTI 1.3 (LTI Advantage) tool: enter these in the LMS.

  Tool URL / target link URI   {urls["target_link_uri"]}
  OIDC login initiation URL    {urls["oidc_login_initiation_url"]}
  Redirection (launch) URL     {urls["target_link_uri"]}
  Deep linking URL             {urls["deep_linking_url"]}
  Public keyset (JWKS) URL     {urls["jwks_url"]}
  Messages                     resource link launch; deep linking (content selection)
  Services                     Assignment and Grade Services: {", ".join(SCOPES)}
  Share with the tool          the user's id (sub), name and e-mail, roles, course (context)
  Custom parameters            none: deep linking sets odesk_resource on each link

Then register the LMS here with what it shows for the tool:
  flask lti add-platform --name NAME --issuer ISS --client-id ID --deployment-id DEPLOYMENT \\
      --auth-login-url URL --auth-token-url URL --key-set-url URL""")


@lti_cli.command("resend-scores")
def resend_scores():
    """Deliver the scores the LMS has not accepted yet (safe to run from cron)."""
    from app.services.lti_tool import http_session, tool_key

    with http_session(current_app.config["LTI_HTTP_TIMEOUT"]) as http:
        sent, pending = lti_scores.send_pending(tool_key(), http, clock.now())
    db.session.commit()
    click.echo(f"{sent} sent, {pending} still pending")
    if pending:
        raise SystemExit(1)
