import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("goal", "said"),
    [
        ("Agree on a budget.", "The goal: “Agree on a budget.” Have a look"),
        ("Agree on a budget", "The goal: “Agree on a budget”. Have a look"),
        ("Can we agree on a budget?", "The goal: “Can we agree on a budget?” Have a look"),
    ],
)
def test_the_share_text_punctuates_once(client, creator, make_session, goal, said):
    session, _ = make_session()
    type(session).objects.filter(pk=session.pk).update(goal=goal)
    client.force_login(creator)
    client.post(reverse("new_invitation", args=[session.public_id]))
    html = client.get(reverse("session_launch", args=[session.public_id])).content.decode()
    assert said in html
