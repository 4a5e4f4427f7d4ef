"""Who is who among a meeting's speakers: names matched to the two participants."""

from facilitation.meetings.speakers import Person, extend, name_key, swapped

MAYA, DAVID = Person("p_maya", "Maya"), Person("p_david", "David")
PEOPLE = (MAYA, DAVID)


def test_names_compare_without_case_accents_or_extra_spaces():
    assert name_key("  JOSÉ   Álvarez ") == "jose alvarez"
    assert name_key("Zoë") == name_key("zoe")


def test_display_names_match_whatever_the_case_and_accents():
    people = (Person("p_jose", "José"), DAVID)
    mapping = extend({}, people, ["jose", "david"], [])
    assert mapping == {"jose": "p_jose", "david": "p_david"}


def test_a_name_that_starts_with_the_display_name_matches():
    assert extend({}, PEOPLE, ["maya cohen", "david (host)"], []) == {
        "maya cohen": "p_maya",
        "david (host)": "p_david",
    }


def test_names_of_neither_go_to_the_first_two_distinct_speakers_in_order():
    # "iphone" speaks first, then "guest 2": the creator, then the invitee.
    first = extend({}, PEOPLE, ["guest 2", "iphone"], ["iphone"])
    assert first == {"iphone": "p_maya"}
    second = extend(first, PEOPLE, ["guest 2", "iphone"], ["iphone", "guest 2"])
    assert second == {"iphone": "p_maya", "guest 2": "p_david"}
    # A third person is counted for nobody.
    third = extend(second, PEOPLE, ["guest 2", "iphone", "grandma"], ["grandma"])
    assert "grandma" not in third


def test_a_present_name_keeps_its_person_from_an_earlier_speaker():
    # David is in the call under his own name: the unknown first speaker can only be Maya.
    assert extend({}, PEOPLE, ["david", "laptop"], ["laptop"]) == {
        "david": "p_david",
        "laptop": "p_maya",
    }


def test_the_bot_itself_is_never_a_speaker():
    mapping = extend({}, PEOPLE, ["neutral mediator"], ["neutral mediator"], ["Neutral Mediator"])
    assert mapping == {}


def test_known_names_keep_their_person():
    assert extend({"maya": "p_david"}, PEOPLE, ["maya"], ["maya"]) == {"maya": "p_david"}


def test_swapping_exchanges_the_two_people():
    mapping = {"maya": "p_maya", "laptop": "p_maya", "david": "p_david"}
    assert swapped(mapping, "p_maya", "p_david") == {
        "maya": "p_david",
        "laptop": "p_david",
        "david": "p_maya",
    }
