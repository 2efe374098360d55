"""The NLU component that makes an instruction to the bot off-topic (bot.nlu.scope_guard)."""

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.scope_guard import ScopeGuard


def _message(text: str, intent: str = "inform", confidence: float = 0.9) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [
                {"name": intent, "confidence": confidence},
                {"name": "out_of_scope", "confidence": round(1 - confidence, 2)},
            ],
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


def _faq(text: str, topic: str) -> Message:
    message = _message(text, intent="faq")
    message.set(
        "response_selector",
        {
            "all_retrieval_intents": ["faq"],
            "faq": {
                "response": {"intent_response_key": topic, "confidence": 0.6, "utter_action": f"utter_{topic}"},
                "ranking": [{"intent_response_key": topic, "confidence": 0.6}],
            },
        },
    )
    return message


def test_a_question_about_applying_together_is_about_the_joint_course():
    text = "Vi er to skoler i samme kommune, som vil søge sammen. Går det?"
    [message] = ScopeGuard().process([_faq(text, "faq/enighed")])
    chosen = message.get("response_selector")["faq"]["response"]
    assert chosen["intent_response_key"] == "faq/faellesforloeb"
    assert chosen["utter_action"] == "utter_faq/faellesforloeb"
    assert message.get("intent")["name"] == "faq"


def test_other_questions_and_regional_workplaces_keep_the_models_topic():
    price, regional = ScopeGuard().process(
        [
            _faq("Vi er en skole i Vejle. Hvad koster det?", "faq/pris"),
            _faq(
                "Vi er to afdelinger på Aarhus Universitetshospital, der vil søge sammen. Kan man det?", "faq/enighed"
            ),
        ]
    )
    assert price.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/pris"
    assert regional.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/enighed"


def test_a_question_only_about_the_physical_work_environment_is_off_topic():
    safety, covered, price = ScopeGuard().process(
        [
            _faq("Vi mangler høreværn og sikkerhedssko på materielgården. Hvem betaler?", "faq/pris"),
            # asks what the offers cover: action_off_topic gives the themes, then says where to go instead
            _faq("Kan SPARK hjælpe med indeklimaet?", "faq/eksempler"),
            _faq("Hvad koster det for os?", "faq/pris"),
        ]
    )
    assert safety.get("intent") == {"name": "out_of_scope", "confidence": 1.0}
    assert covered.get("intent")["name"] == "out_of_scope" and price.get("intent")["name"] == "faq"


def test_a_question_whether_the_offers_cover_a_theme_gets_the_themes_whatever_topic_the_model_chose():
    [alone] = ScopeGuard().process([_faq("Hjælper I også med alenearbejde, fx nattevagter?", "faq/daekning")])
    assert alone.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/temaer"


def test_one_side_refusing_to_apply_gets_the_agreement_answer():
    [refusal, answer] = ScopeGuard().process(
        [
            _message("Jeg er TR på en skole i Middelfart, men vores leder vil ikke være med til at søge.", "inform"),
            _message("nej, lederen vil ikke være med til at søge", "deny"),  # the form's question answered
        ]
    )
    assert refusal.get("intent")["name"] == "faq"
    assert refusal.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/enighed"
    assert answer.get("intent")["name"] == "deny"


def test_a_problem_at_ones_own_public_workplace_is_facts_where_the_model_read_off_topic_or_was_unsure():
    told, unsure, news = ScopeGuard().process(
        [
            _message(
                "kontorfunktionær ved retten i kolding. hård tone i skranken, og vi er 3 nye ud af 9", "out_of_scope"
            ),
            _message("konstabel på kasernen i holstebro. vi har en grov jargon, der går ud over de nye", "inform", 0.2),
            _message("Folketinget vedtog i går en lov om minimumsnormeringer i daginstitutionerne.", "out_of_scope"),
        ]
    )
    assert told.get("intent")["name"] == "inform" and unsure.get("intent")["name"] == "inform"
    assert news.get("intent")["name"] == "out_of_scope"


def test_an_english_question_about_the_offers_is_the_faq_of_its_topic():
    [message] = ScopeGuard().process(
        [_message("Is the support free? We are a ward at Bispebjerg Hospital", "out_of_scope")]
    )
    assert message.get("intent")["name"] == "faq"
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/pris"


def test_an_english_message_about_the_writers_workplace_is_facts():
    [message] = ScopeGuard().process(
        [_message("Hi, I'm a safety rep at a nursing home in Kolding and our staff are burned out", "out_of_scope")]
    )
    assert message.get("intent")["name"] == "inform"


def test_other_english_keeps_the_models_reading():
    [message] = ScopeGuard().process([_message("What is the weather like in Copenhagen today?", "out_of_scope")])
    assert message.get("intent")["name"] == "out_of_scope"


def test_an_english_message_about_someone_elses_work_or_a_scam_is_no_workplace_of_the_writers():
    relative, scam = ScopeGuard().process(
        [
            _message(
                "My husband is a porter at Herlev Hospital and comes home stressed every day. What can I do?",
                "out_of_scope",
            ),
            _message(
                "Is this real? A man phoned saying he was from Faxe Kommune and wanted my password", "out_of_scope"
            ),
        ]
    )
    assert relative.get("intent")["name"] == "out_of_scope" and scam.get("intent")["name"] == "out_of_scope"


def test_a_description_read_as_a_restart_or_stop_is_facts_but_a_command_is_not():
    description, command, stop = ScopeGuard().process(
        [
            _message(
                "Vi har fået ny leder igen, og personalet er trætte af hele tiden at starte forfra med alt", "restart"
            ),
            _message("start forfra", "restart"),
            _message("stop nu, jeg gider ikke mere", "stop"),
        ]
    )
    assert description.get("intent")["name"] == "inform"
    assert command.get("intent")["name"] == "restart" and stop.get("intent")["name"] == "stop"


def test_ones_own_pay_read_as_a_correction_is_off_topic():
    [message] = ScopeGuard().process(
        [_message("min løn er forkert igen, jeg er sosu i Brøndby kommune, hvem skal jeg ringe til?", "correct")]
    )
    assert message.get("intent")["name"] == "out_of_scope"


def test_a_long_request_for_help_read_as_off_topic_is_facts():
    [message] = ScopeGuard().process(
        [
            _message(
                "Borgerservice i Skive: vi har haft flere trusler ved skranken. Hvad kan vi få af hjælp?",
                "out_of_scope",
            )
        ]
    )
    assert message.get("intent")["name"] == "inform"


def test_a_question_whether_the_offers_cover_a_sector_gets_that_sectors_offer():
    unsure, faq = ScopeGuard().process(
        [
            _message("Jeg er i tvivl om I også hjælper universiteter? Jeg er AMR på SDU", "affirm"),
            _faq("Dækker SPARK også sygehusene?", "faq/hvad_er_spark"),
        ]
    )
    assert unsure.get("intent")["name"] == "faq" and faq.get("intent")["name"] == "faq"
    assert unsure.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/statsligt_tilbud"
    assert faq.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/regionalt_tilbud"


def test_a_question_about_applying_together_is_the_joint_course_whatever_the_model_read():
    for intent in ("inform", "affirm", "out_of_scope"):
        [message] = ScopeGuard().process(
            [_message("Vi er tre børnehaver i Faxe, der vil søge sammen. Kan det lade sig gøre?", intent)]
        )
        assert message.get("intent")["name"] == "faq"
        assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/faellesforloeb"


def test_an_english_message_that_opens_with_a_job_title_at_a_public_workplace_is_facts():
    [lab, relative] = ScopeGuard().process(
        [
            _message(
                "lab technician at Herlev hospital. they automated half our work and nobody explained anything, "
                "morale is zero",
                "out_of_scope",
            ),
            _message("My mother lives at a nursing home in Vejle and the staff are stressed", "out_of_scope"),
        ]
    )
    assert lab.get("intent")["name"] == "inform" and relative.get("intent")["name"] == "out_of_scope"


def test_the_guard_counts_as_unsure_what_the_fallback_classifier_after_it_will_not_understand():
    import yaml

    from bot.nlu import scope_guard
    from tests.conftest import ROOT

    fallback = next(
        c for c in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"] if c["name"] == "FallbackClassifier"
    )
    assert (scope_guard.UNSURE, scope_guard.AMBIGUOUS) == (fallback["threshold"], fallback["ambiguity_threshold"])
    # two intents nearly as likely: "not understood" after the guard, so the guard's rules apply
    text = "Jeg er AMR på Gentofte Hospital. Det foregår anderledes i Region H – hvem skal vi kontakte først?"
    message = Message(
        data={
            "text": text,
            "intent": {"name": "inform", "confidence": 0.41},
            "intent_ranking": [{"name": "inform", "confidence": 0.41}, {"name": "faq", "confidence": 0.39}],
        }
    )
    [message] = ScopeGuard().process([message])
    assert message.get("intent")["name"] == "faq"
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/udbydere"


def test_a_writer_in_crisis_is_off_topic_whatever_the_model_said():
    [message] = ScopeGuard().process([_message("Jeg er sosu i Vejle og vil ikke leve mere", intent="inform")])
    assert message.get("intent")["name"] == "out_of_scope"


def test_a_question_about_the_themes_beside_ones_pay_keeps_its_answer():
    text = "Hvilke temaer kan SPARK hjælpe med? Vores lønsedler er forkerte, men der er også uro i personalegruppen."
    [message] = ScopeGuard().process([_faq(text, "faq/temaer")])
    assert message.get("intent")["name"] == "faq"
    [pay] = ScopeGuard().process([_faq("min lønseddel er forkert igen, hvem ringer jeg til?", "faq/pris")])
    assert pay.get("intent")["name"] == "out_of_scope"


def test_a_question_about_the_travelling_team_read_as_status_gets_the_state_offer():
    text = "Vi har registreret vores interesse for rejseholdet. Hvordan får vi at vide, når det åbner?"
    [message] = ScopeGuard().process([_message(text, intent="application_status")])
    assert message.get("intent")["name"] == "faq"
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/statsligt_tilbud"
    [status] = ScopeGuard().process([_message("hvad er status på vores ansøgning?", intent="application_status")])
    assert status.get("intent")["name"] == "application_status"


def test_a_question_about_when_the_offer_was_agreed_is_not_made_off_topic_by_its_pay_word():
    text = "SPARK kommer vist fra overenskomsten – hvornår blev det egentlig aftalt?"
    [message] = ScopeGuard().process([_faq(text, "faq/hvad_er_spark")])
    assert message.get("intent")["name"] == "faq"
