"""PlaceNameResolver: canonical place names, and one municipality where a message names several."""

from bot.nlu.place_names import PlaceNameResolver


def _entities(text, *towns):
    entities = []
    for town in towns:
        start = text.index(town)
        entities.append({"entity": "municipality", "value": town, "start": start, "end": start + len(town)})
    return entities


def test_of_several_municipalities_the_writers_workplace_is_kept():
    from rasa.shared.nlu.training_data.message import Message

    text = "Jeg er socialrådgiver i Svendborg Kommune. Før var jeg i Faaborg-Midtfyn"
    message = Message(data={"text": text, "entities": _entities(text, "Svendborg", "Faaborg-Midtfyn")})
    PlaceNameResolver().process([message])
    assert [e["value"] for e in message.get("entities")] == ["Svendborg"]


def test_one_municipality_and_spellings_are_made_canonical():
    from rasa.shared.nlu.training_data.message import Message

    text = "vi er i koebenhavn og region syd"
    entities = [
        {"entity": "municipality", "value": "koebenhavn", "start": 8, "end": 18},
        {"entity": "region", "value": "region syd", "start": 22, "end": 32},
    ]
    message = Message(data={"text": text, "entities": entities})
    PlaceNameResolver().process([message])
    assert [e["value"] for e in message.get("entities")] == ["København", "Region Syddanmark"]
