"""The first-message scorer's pure parts (tools/bench/first_messages.py), on made-up examples."""

from __future__ import annotations

from pathlib import Path

from tools.bench import first_messages as fm

NON_ANSWERS = {"Hej! Jeg er Arbejdsmiljøguiden.", "Hvilken kommune arbejder du i?"}
SLOTS = ("sector", "municipality", "region", "role", "problem_description")


def _outcome(
    kind: str, slots: dict | None = None, replies: list[str] | None = None, loop: str | None = None, **item: object
) -> fm.Outcome:
    return fm.Outcome(
        fm.Item(text=str(item.pop("text", "x")), kind=kind, **item),
        replies=replies or [],
        slots=slots or {},
        active_loop=loop,
    )


def test_training_texts_are_compared_lower_cased_with_spaces_collapsed():
    items = [
        fm.Item("Jeg er  TR i Vejle", "workplace"),
        fm.Item("Hvad koster det?", "question"),
        fm.Item("Ny tekst", "off_topic"),
    ]
    kept, left_out = fm.split_trained(items, {"jeg er tr i vejle", "hvad koster det?"})
    assert [i.text for i in kept] == ["Ny tekst"]
    assert [i.text for i in left_out] == ["Jeg er  TR i Vejle", "Hvad koster det?"]


def test_annotations_are_taken_out_of_training_examples(tmp_path: Path):
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n    - jeg er TR i [Vejle](municipality)\n'
        "- lookup: places\n  examples: |\n    - vejle\n",
        encoding="utf-8",
    )
    assert fm.training_texts(tmp_path) == {"jeg er tr i vejle"}
    assert fm.plain_example('i [Region Syd]{"entity": "region"}') == "i Region Syd"


def test_a_workplace_needs_sector_and_place_where_the_label_names_one():
    municipal = dict(kind="workplace", sector="kommunal", municipality="Vejle", region="Region Syddanmark")
    right = _outcome(slots={"sector": "kommunal", "municipality": "Vejle"}, **municipal)
    wrong_town = _outcome(slots={"sector": "kommunal", "municipality": "Kolding"}, **municipal)
    regional = _outcome(
        kind="workplace",
        sector="regional",
        municipality="Randers",
        region="Region Midtjylland",
        slots={"sector": "regional", "region": "Region Midtjylland", "municipality": None},
    )
    state = _outcome(kind="workplace", sector="statslig", slots={"sector": "statslig"})
    assert fm.sector_right(right) and fm.place_right(right)
    assert fm.sector_right(wrong_town) and not fm.place_right(wrong_town)
    assert fm.place_right(regional) and fm.place_expected(regional.item) == ("region", "Region Midtjylland")
    assert fm.place_expected(state.item) is None and fm.place_right(state)


def test_an_off_topic_message_counts_when_it_starts_the_form_or_fills_an_answer():
    assert fm.form_touched(_outcome("off_topic", loop="application_form"), SLOTS)
    assert fm.form_touched(_outcome("off_topic", slots={"municipality": "Vejle"}), SLOTS)
    assert not fm.form_touched(_outcome("off_topic", slots={"requested_slot": None, "sector_hint": "x"}), SLOTS)


def test_a_question_is_answered_by_the_words_of_a_right_answer_outside_the_non_answers():
    answered = _outcome("question", replies=["Det er gratis at deltage."], answer_should_mention=("gratis",))
    greeted = _outcome("question", replies=["Hej! Jeg er Arbejdsmiljøguiden."], answer_should_mention=("Hej",))
    spelled = _outcome("question", replies=["Et fællesforløb er ..."], answer_should_mention=("faellesforloeb",))
    assert fm.answered(answered, NON_ANSWERS) and fm.answered(spelled, NON_ANSWERS)
    assert not fm.answered(greeted, NON_ANSWERS)


def test_the_score_and_its_failure_lists():
    outcomes = [
        _outcome(
            kind="workplace",
            sector="kommunal",
            municipality="Vejle",
            text="a",
            slots={"sector": "kommunal", "municipality": "Vejle"},
        ),
        _outcome(kind="workplace", sector="regional", region="Region Sjælland", text="b", slots={}),
        _outcome(kind="workplace", sector=None, text="c"),  # no sector label: not scored
        _outcome("off_topic", text="d", slots={"municipality": "Vejle"}),
        _outcome("off_topic", text="e"),
        _outcome("question", text="f", replies=["gratis"], answer_should_mention=("gratis",)),
        _outcome("question", text="g", replies=["nej"]),  # nothing to look for: not scored
    ]
    result = fm.score(outcomes, left_out=[fm.Item("h", "question")], non_answers=NON_ANSWERS, slots=SLOTS)
    assert result["items"] == 8 and result["left_out_as_training_texts"] == ["h"]
    assert (result["sector_and_place"]["right"], result["sector_and_place"]["items"]) == (1, 2)
    assert result["off_topic_form"]["rate"] == 0.5 and result["questions_answered"]["rate"] == 1.0
    assert [f["text"] for f in result["failures"]["sector_wrong"]] == ["b"]
    assert [f["text"] for f in result["failures"]["off_topic_started_form"]] == ["d"]
    assert fm.markdown({"x": result})[0].startswith("## First messages")


def test_both_sets_load_and_use_only_the_known_kinds():
    for path, _ in fm.SETS.values():
        items = fm.load_items(path)
        assert items and {i.kind for i in items} <= set(fm.KINDS)
    assert len(fm.load_items(fm.SETS["dev"][0])) >= 150


def test_the_learnt_votes_examples_count_as_training_texts(tmp_path):
    examples = tmp_path / "examples.yml"
    examples.write_text(
        "own:\n  - Vi er  en skole i Vejle\nother:\n  - Hvornår åbner svømmehallen?\n", encoding="utf-8"
    )
    assert fm.learnt_examples(examples) == {"vi er en skole i vejle", "hvornår åbner svømmehallen?"}
    # and no fresh set's text is one of the shipped examples
    shipped = fm.learnt_examples()
    for name, (path, _) in fm.SETS.items():
        if name.startswith("fresh"):
            assert not {fm.normalise(item.text) for item in fm.load_items(path)} & shipped, name


def test_the_nlu_inputs_fingerprint_ignores_notes_and_compiled_python(tmp_path, monkeypatch):
    from tools.bench import nlu

    (tmp_path / "data" / "__pycache__").mkdir(parents=True)
    (tmp_path / "data" / "nlu.yml").write_text("nlu: []\n", encoding="utf-8")
    monkeypatch.setattr(nlu, "ROOT", tmp_path)
    before = nlu.inputs_fingerprint(("data",))
    (tmp_path / "data" / "notes.md").write_text("what was measured\n", encoding="utf-8")
    (tmp_path / "data" / "__pycache__" / "x.cpython-310.pyc").write_bytes(b"\0")
    assert nlu.inputs_fingerprint(("data",)) == before
    (tmp_path / "data" / "nlu.yml").write_text("nlu: [x]\n", encoding="utf-8")
    assert nlu.inputs_fingerprint(("data",)) != before
