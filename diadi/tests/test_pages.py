import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_make_run_never_shows_djangos_debug_pages():
    # `make run` sets nothing: development conveniences on, Django's technical pages off.
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEBUG_PAGES")}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings; print(settings.DEBUG, settings.DEVELOPMENT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_a_missing_page_is_diadis_own(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html
    assert 'href="/"' in html


def test_pages_go_out_compressed(client, creator):
    client.force_login(creator)
    response = client.get(reverse("hub"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"


def test_a_page_with_a_long_lived_secret_is_never_compressed(client, creator):
    client.force_login(creator)
    response = client.get(reverse("profile"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
