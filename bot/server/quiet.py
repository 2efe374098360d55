"""Known, harmless warnings of the libraries under Rasa 3.6, silenced where our processes start.

Each entry point (`python -m bot ...`, the Rasa server and action server launchers) calls
`silence_known_warnings()` first. Only the warnings listed here are hidden, each for a stated
reason; any other warning, ours or a library's, is still shown. Nothing here changes what
the libraries do.

Filters alone do not hold: Sanic (on import) and Rasa's command line (when it starts) put
filters of their own in front of everyone's. So the known warnings are also dropped where a
warning is shown (warnings.showwarning), whatever the filters said.
"""

from __future__ import annotations

import os
import re
import warnings

# Environment switches the libraries read themselves, set only where the caller has not.
ENVIRONMENT = {
    # TensorFlow's C++ start-up lines (CPU instructions, no GPU found): information, not warnings.
    "TF_CPP_MIN_LOG_LEVEL": "2",
    # SQLAlchemy 1.4's one "not compatible with SQLAlchemy 2.0" notice about Rasa's own tables
    # (rasa/core/tracker_store.py); we pin SQLAlchemy<1.5, so it never applies.
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}

# (category, message regex, regex of the file that warns, why it is harmless)
KNOWN: tuple[tuple[type[Warning], str, str, str], ...] = (
    (
        DeprecationWarning,
        r"pkg_resources is deprecated as an API",
        "",
        "Rasa and APScheduler import pkg_resources; setuptools 70 still ships it",
    ),
    (
        DeprecationWarning,
        r"Deprecated call to `pkg_resources\.declare_namespace",
        "",
        "namespace packages of matplotlib and ruamel.yaml declared the old way",
    ),
    (
        DeprecationWarning,
        r"distutils Version classes are deprecated",
        "",
        "sanic-cors compares Sanic's version with distutils' LooseVersion",
    ),
    (DeprecationWarning, r".*Click 9\.0", "", "typer 0.7 and spaCy 3.4 import Click helpers that Click 9 will move"),
    (
        DeprecationWarning,
        "",
        r".*/site-packages/(matplotlib|packaging)/",
        "pyparsing 3's renamed methods, called by matplotlib 3.5 and packaging 20.9 (Rasa's pins)",
    ),
    (
        UserWarning,
        r"The following duplicated intents have been found across multiple domain files: faq",
        "",
        "the retrieval intent faq is declared in the domain and in the FAQ data on purpose",
    ),
    (
        UserWarning,
        r"The (intent|utterance) '(affirm|deny|utter_ask_\w+|utter_default|utter_restart"
        r"|utter_out_of_scope)' is not used in any story or rule",
        "",
        "used outside stories and rules: affirm and deny in slot mappings, utter_ask_* by the form, "
        "the other three by our actions (Rasa checks stories and rules only)",
    ),
    (
        UserWarning,
        r"You have defined training data consisting of entity examples, but your NLU configuration "
        r"does not include an entity extractor",
        "",
        "places are extracted by bot.nlu.place_names.PlaceNameResolver, which Rasa does not count",
    ),
    (
        UserWarning,
        r"You have defined training data consisting of lookup tables, but your NLU configuration "
        r"does not include any components",
        "",
        "the lookup tables feed RegexFeaturizer and our own components, which Rasa does not count",
    ),
    (
        UserWarning,
        r"You have defined training data with examples for training a response selector, but your "
        r"NLU configuration does not include a response selector component",
        "",
        "the FAQ topics are picked by bot.nlu.intent_classifier.IntentTopicClassifier, not a ResponseSelector",
    ),
    (
        UserWarning,
        r"Slot auto-fill has been removed in 3\.0",
        "",
        "Rasa says it for every domain it reads; our slots all have explicit mappings",
    ),
)


def silence_known_warnings() -> None:
    """Set the libraries' own switches and filter the known warnings (call it before importing Rasa)."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    install_filters()


def is_known(category: type[Warning], message: str, filename: str) -> bool:
    return any(
        issubclass(category, known) and re.match(pattern, message) and re.match(path, filename or "")
        for known, pattern, path, _why in KNOWN
    )


def install_filters() -> None:
    """Ignore filters for the known warnings, and a showwarning that drops them whatever the filters say."""
    for category, message, path, _why in KNOWN:
        if not path:
            warnings.filterwarnings("ignore", message=message, category=category)
    shown = warnings.showwarning
    if getattr(shown, "drops_known_warnings", False):
        return

    def showwarning(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if not is_known(category, str(message), filename):
            shown(message, category, filename, lineno, file, line)

    showwarning.drops_known_warnings = True  # type: ignore[attr-defined]
    warnings.showwarning = showwarning
