"""Asking for help in words people use: parts of the day and an hour alone as meant, a text
too long shown back to shorten, emoji alone refused kindly, and what the whole group reads."""

from __future__ import annotations

from bot.domain.dates import DayPart
from bot.domain.requests import DraftStep, WhenKind
from bot.i18n import t
from tests.harness import World, local
from tests.requests.request_steps import ask, store, tap, to_text_step


async def test_parts_of_the_day_and_an_hour_alone_through_the_ask_flow(world: World) -> None:
    fatma, kees, anouk = world.user("Fatma"), world.user("Kees"), world.user("Anouk")
    async with world.bot():
        await world.add_bot()  # Monday 23 November, 11:00
        saturday = await ask(world, fatma, text="Wie loopt mee naar de markt?",
                             kind="Gezelschap of wandelen", when="zaterdagmiddag")
        assert "Wanneer: za 28 nov, 's middags" in saturday.card.text
        saved = await store(world).get(saturday.request_id)
        assert saved is not None and saved.when.kind is WhenKind.DAY
        assert saved.when.part is DayPart.AFTERNOON
        assert saved.when.due_at == local(2026, 11, 28, 18, 0)

        three = await ask(world, kees, text="Wie tilt een kast met me?", kind="Klusje",
                          when="om 3 uur")
        assert "Wanneer: ma 23 nov om 15:00" in three.card.text

        evening = await ask(world, anouk, text="Wie helpt met mijn telefoon?",
                            kind="Telefoon of computer", when="dinsdagavond 7")
        assert "Wanneer: di 24 nov om 19:00" in evening.card.text


async def test_tonight_alone_is_the_evening_and_stays_so_after_an_edit(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        posted = await ask(world, fatma, text="Wie brengt een pakje rond?", when="vanavond")
        assert "Wanneer: ma 23 nov, 's avonds" in posted.card.text
        await tap(world, fatma, posted.controls, "Tijd veranderen")
        await sb.next_message(fatma, containing="Wanneer heb je hulp nodig?")
        await sb.say(fatma, fatma, "morgenochtend")
        card = await sb.next_edit(world.group)
        assert card.message_id == posted.card.message_id
        assert "Wanneer: di 24 nov, 's ochtends" in card.text
        saved = await store(world).get(posted.request_id)
        assert saved is not None and saved.when.part is DayPart.MORNING
        assert saved.when.due_at == local(2026, 11, 24, 12, 0)


async def test_what_the_group_reads_a_long_text_shown_back_and_emoji_alone(world: World) -> None:
    sb, anouk = world.sb, world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        question = await to_text_step(world, anouk)
        assert "de hele groep leest dit" in question.text
        assert "Zet er geen namen of huisnummers in." in question.text

        long_text = ("Mevrouw Bos op 2-hoog kan haar boodschappen niet meer dragen. " * 8).strip()
        assert len(long_text) > 280
        await sb.say(anouk, anouk, long_text)
        again = await sb.next_message(anouk)
        assert again.text.startswith(f"Je tekst heeft {len(long_text)} letters. Er passen er 280.")
        assert f"<code>{long_text}</code>" in again.html, "shown back whole, to copy and shorten"
        assert "Schrijf in een paar woorden" in again.text

        await sb.say(anouk, anouk, "🙏🙏🙏")
        refused = await sb.next_message(anouk)
        assert refused.text.startswith(t("nl", "request.flow.text_no_words"))
        draft = await store(world).draft(anouk.id)
        assert draft is not None and draft.step is DraftStep.TEXT and draft.description is None

        await sb.say(anouk, anouk, "Wie neemt 🙏 brood mee?")
        when = await sb.next_message(anouk)
        assert "Wanneer heb je hulp nodig?" in when.text
        await tap(world, anouk, when, "Morgen")
        name = await sb.next_edit(anouk)
        assert name.text == ("Zet ik je naam bij de vraag, of alleen een buur?\n"
                             "Kies je een buur? Dan ziet alleen wie helpt je naam.")
