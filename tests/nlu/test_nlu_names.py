"""The person-name lookup table (bot/nlu/person_names.py -> data/nlu/lookup_names.yml)."""

from __future__ import annotations

import re

from bot.nlu import person_names as nlu_names


def test_lookup_file_is_generated_from_the_names_data():
    assert nlu_names.TARGET.read_text(encoding="utf-8") == nlu_names.render(), (
        "data/nlu/lookup_names.yml is stale: run `python -m bot.nlu.person_names`"
    )


def test_names_with_danish_letters_are_also_listed_as_people_type_them_without():
    assert nlu_names.spellings("Søren") == {"søren", "soeren", "soren"}
    assert nlu_names.spellings("Østergaard") == {"østergaard", "oestergaard", "ostergaard"}
    assert nlu_names.spellings("René") == {"rené", "rene"}
    listed = set(nlu_names.names())
    assert {"søren", "soeren", "jørgensen", "joergensen", "rikke", "fatma", "yilmaz"} <= listed


def test_everyday_words_that_are_also_names_are_left_out():
    # These would flag ordinary sentences ("per uge", "hans leder", "vi bor i en skov") as names.
    listed = set(nlu_names.names())
    assert not listed & {"per", "bo", "hans", "liv", "skov", "vind", "tom", "sommer", "mark"}


def test_rasa_matches_the_table_in_a_message_the_way_the_regex_featurizer_does():
    from rasa.nlu.utils.pattern_utils import extract_patterns
    from rasa.shared.nlu.training_data.loading import load_data

    patterns = {p["name"]: p["pattern"] for p in extract_patterns(load_data(str(nlu_names.TARGET)))}

    def flagged(text: str) -> bool:
        return re.search(patterns["person_name"], text, flags=re.IGNORECASE) is not None

    assert flagged("Sofie Bruun") and flagged("navn: poul erik") and flagged("det er Jørgen")
    assert flagged("soeren") and flagged("RIKKE")
    assert not flagged("vi har problemer med samarbejdet") and not flagged("lol")
    assert not flagged("per uge")  # 'Per' is not in the table


def test_each_benchmark_fold_is_trained_with_the_lookup_tables_and_regexes(tmp_path):
    # Without them a fold's RegexFeaturizer has no patterns, and the benchmark would measure
    # another model than the one `scripts/train.sh` builds from data/.
    from rasa.shared.nlu.training_data.loading import load_data

    from tools.bench import nlu as bench

    _, training = bench.load_examples()
    bench.write_split(training, range(10), tmp_path / "fold.yml")
    fold = load_data(str(tmp_path / "fold.yml"))
    assert len(fold.intent_examples) == 10
    assert {t["name"] for t in fold.lookup_tables} >= {"person_name", "place", "interjection"}
    assert {r["name"] for r in fold.regex_features} >= {"email", "phone", "no_letters", "keyboard_mash"}
    names = next(t for t in fold.lookup_tables if t["name"] == "person_name")["elements"]
    assert "soeren" in names and "yilmaz" in names
