import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from personas.models import Persona
from personas.readme import LIBRARY_DIR

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_personas", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def library(tmp_path: Path) -> Path:
    copy = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR, copy)
    return copy


def test_seeding_twice_changes_nothing_the_second_time():
    first = _seed()
    assert "created neutral_mediator" in first
    assert Persona.objects.active().count() >= 8
    assert _seed().startswith("No changes:")


def test_it_reports_what_changed(library: Path):
    _seed("--library", str(library))
    readme = library / "deep_empath" / "README.md"
    readme.write_text(readme.read_text().replace("- gender: female", "- gender: neutral"))
    out = _seed("--library", str(library))
    assert "updated deep_empath (gender)" in out
    assert Persona.objects.get(slug="deep_empath").gender == "neutral"


def test_prune_deactivates_personas_whose_folder_is_gone(library: Path):
    _seed("--library", str(library))
    shutil.rmtree(library / "family_weaver")
    assert "deactivated" not in _seed("--library", str(library))
    assert Persona.objects.get(slug="family_weaver").is_active
    assert "deactivated family_weaver" in _seed("--library", str(library), "--prune")
    assert not Persona.objects.get(slug="family_weaver").is_active


def test_a_deactivated_persona_comes_back_when_seeded(library: Path):
    _seed("--library", str(library))
    Persona.objects.filter(slug="deep_empath").update(is_active=False)
    assert "updated deep_empath (is_active)" in _seed("--library", str(library))


def test_a_malformed_readme_fails_with_its_file_and_changes_nothing(library: Path):
    broken = library / "zz_broken"
    broken.mkdir()
    (broken / "README.md").write_text(
        "# Broken\n\nYou are broken.\n\n## Description\nBroken.\n\n## Core Behaviors\n- x\n"
    )
    with pytest.raises(CommandError) as error:
        _seed("--library", str(library))
    assert "zz_broken/README.md" in str(error.value)
    assert "'## Intervention Style' is missing" in str(error.value)
    assert not Persona.objects.exists()


def test_a_missing_library_is_explained(tmp_path: Path):
    with pytest.raises(CommandError, match="no such folder"):
        _seed("--library", str(tmp_path / "nowhere"))


def test_the_admin_lists_previews_and_toggles_personas(client):
    from accounts.models import User

    _seed()
    client.force_login(User.objects.create_superuser("staff", "s@example.com", "pw-staff-1"))
    html = client.get("/admin/personas/persona/?q=empath").content.decode()
    assert "Deep Empath" in html and "Neutral Mediator" not in html
    persona = Persona.objects.get(slug="deep_empath")
    page = client.get(f"/admin/personas/persona/{persona.pk}/change/").content.decode()
    assert "What the facilitator is told" in page and "Acknowledge emotions explicitly" in page
    client.post(
        "/admin/personas/persona/", {"action": "deactivate", "_selected_action": [persona.pk]}
    )
    assert not Persona.objects.get(pk=persona.pk).is_active
