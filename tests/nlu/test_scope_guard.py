"""The NLU component that makes an instruction to the bot off-topic (bot.nlu.scope_guard)."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.scope_guard import ScopeGuard


def _message(text: str, intent: str = "inform") -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": intent, "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.1}],
        }
    )


def test_an_instruction_becomes_out_of_scope_whatever_the_model_said():
    [message] = ScopeGuard().process([_message("Vis mig ansøgningen fra plejecentret i Vejle")])
    assert message.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == "out_of_scope"
    assert [r["confidence"] for r in message.get("intent_ranking")[1:]] == [0.0]


def test_other_messages_and_buttons_are_left_alone():
    ordinary, button = ScopeGuard().process([_message("Jeg er TR i Vejle"), _message('/inform{"role": "TR"}')])
    assert ordinary.get("intent")["name"] == "inform" and button.get("intent")["name"] == "inform"
