"""The tool's RSA key: made once in the key folder and reused, or read from LTI_PRIVATE_KEY_FILE."""

from __future__ import annotations

import stat

from flask import Flask

from app.services.lti_tool import KEY_FILE_NAME, tool_key
from tests.lti_platform import new_private_pem, public_pem


def _app(**config) -> Flask:
    app = Flask("keys")
    app.config.update({"LTI_PRIVATE_KEY_FILE": None, "LTI_KEY_DIR": None, **config})
    return app


def test_the_key_is_made_once_private_to_its_owner_and_survives_a_restart(tmp_path):
    first = tool_key(_app(LTI_KEY_DIR=str(tmp_path / "instance")))
    path = tmp_path / "instance" / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = tool_key(_app(LTI_KEY_DIR=str(tmp_path / "instance")))  # another worker, or after a restart
    assert again.private_pem == first.private_pem and again.public_jwk["kid"] == first.public_jwk["kid"]


def test_a_key_file_is_used_as_given(tmp_path):
    pem = new_private_pem()
    (tmp_path / "tool.pem").write_text(pem)
    key = tool_key(
        _app(LTI_PRIVATE_KEY_FILE=str(tmp_path / "tool.pem"), LTI_KEY_DIR=str(tmp_path / "unused"))
    )
    assert key.private_pem == pem and key.public_pem == public_pem(pem)
    assert not (tmp_path / "unused").exists()


def test_without_a_key_folder_the_key_lives_in_memory(tmp_path):
    app = _app()
    assert tool_key(app) is tool_key(app)
