"""The private chat always answers, a plain /start finds the resident's building, and "Mijn
dingen" gathers what runs for a resident: played as residents would, through the sandbox."""

from __future__ import annotations

from typing import Any

from bot.domain.activities import RsvpChoice
from bot.domain.privacy import ActionCounter, RateLimit
from bot.i18n import plain, t
from sandbox import SandboxMessage, SandboxUser
from tests.activities.test_activities_e2e import activity_of, card_now, post_prepared
from tests.harness import World
from tests.requests.request_steps import ask, started, store, tap, to_text_step

MENU = ["Vraag hulp", "Iemand helpen", "Activiteiten", "Mijn dingen"]


async def send_media(world: World, user: SandboxUser, media: dict[str, Any]) -> None:
    """A voice message, a sticker or a photo in the resident's own chat with the bot."""
    sandbox = world.sb.world
    await world.sb.raw_update({"message": {
        "message_id": sandbox.next_message_id(user.id), "from": user.to_dict(),
        "chat": sandbox.chat_dict(user.id), "date": sandbox.now(), **media,
    }})


VOICE = {"voice": {"file_id": "voice-1", "file_unique_id": "v1", "duration": 4,
                   "mime_type": "audio/ogg"}}
STICKER = {"sticker": {"file_id": "sticker-1", "file_unique_id": "s1", "type": "regular",
                       "width": 512, "height": 512, "is_animated": False, "is_video": False,
                       "emoji": "👍"}}


async def replied(world: World, user: SandboxUser) -> SandboxMessage:
    return await world.sb.next_message(user)


async def test_text_voice_stickers_and_unknown_commands_get_a_kind_menu(world: World) -> None:
    sb, fatma = world.sb, world.user("Fatma")
    async with world.bot():
        await world.add_bot()
        await started(world, fatma)
        await sb.say(fatma, fatma, "hallo, kan iemand mij helpen?")
        menu = await replied(world, fatma)
        assert menu.text == t("nl", "home.text").replace("<b>", "").replace("</b>", "")
        assert menu.button_texts() == MENU
        await send_media(world, fatma, VOICE)
        assert (await replied(world, fatma)).text == t("nl", "home.not_text")
        await send_media(world, fatma, STICKER)
        shown = await replied(world, fatma)
        assert shown.text == t("nl", "home.not_text") and shown.button_texts() == MENU
        await sb.say(fatma, fatma, "/helpme")
        shown = await replied(world, fatma)
        assert shown.text == t("nl", "home.unknown_command") and shown.button_texts() == MENU
        await sb.say(fatma, fatma, "/weghalen")
        shown = await replied(world, fatma)
        assert shown.text == t("nl", "home.remove_in_group") and "groep" in shown.text
        await sb.say(fatma, fatma, "/stop")
        assert (await replied(world, fatma)).text == t("nl", "home.nothing_to_stop")

        # A command a feature knows gets that feature's answer, and nothing more.
        sb.mark()
        await sb.say(fatma, fatma, "/help")
        await sb.next_message(fatma, containing="Dit kun je")
        await sb.settle()
        assert len([e for e in sb.events_since_mark() if e.method == "sendMessage"]) == 1


async def test_a_typed_answer_still_goes_to_the_flow_that_waits(world: World) -> None:
    sb, anouk = world.sb, world.user("Anouk")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk)
        await to_text_step(world, anouk)
        sb.mark()
        await sb.say(anouk, anouk, "Wie neemt brood voor me mee?")
        question = await sb.next_message(anouk)
        assert "Wanneer heb je hulp nodig?" in question.text
        await sb.settle()
        assert [e.method for e in sb.events_since_mark() if e.method == "sendMessage"] == ["sendMessage"]
        await send_media(world, anouk, VOICE)
        assert (await replied(world, anouk)).text == t("nl", "home.type_answer")
        draft = await store(world).draft(anouk.id)
        assert draft is not None and draft.description == "Wie neemt brood voor me mee?"


async def test_a_plain_start_finds_the_building_and_vastebuur_works_right_away(world: World) -> None:
    sb, kees = world.sb, world.user("Kees")
    stranger = sb.add_user("Sanne", language_code="nl")
    async with world.bot():
        await world.add_bot()
        await sb.open_private(kees)  # Kees never said anything in the group
        hello = await replied(world, kees)
        assert "Flat De Linde" in hello.text and hello.button_texts() == MENU
        assert "Begin hier" not in hello.text
        await sb.say(kees, kees, "/vastebuur")
        question = await replied(world, kees)
        assert "Waarvoor zoek je een vaste buur in Flat De Linde?" in question.text

        await sb.open_private(stranger)
        hello = await replied(world, stranger)
        assert t("nl", "start.find_building") in hello.text and "Begin hier" not in hello.text
        await sb.say(stranger, stranger, "/vastebuur")
        answer = await replied(world, stranger)
        assert answer.text == t("nl", "pairing.no_building") and "Begin hier" not in answer.text


async def test_the_menu_asks_helps_someone_and_shows_activities(world: World) -> None:
    sb, fatma, kees = world.sb, world.user("Fatma"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        posted = await ask(world, fatma, text="Wie zet mijn container buiten?", kind="Container of afval")
        await sb.say(kees, kees, "hoi")
        menu = await replied(world, kees)
        await tap(world, kees, menu, "Iemand helpen")
        intro = await replied(world, kees)
        assert intro.text.startswith("Deze buren zoeken nog hulp.")
        shown = await replied(world, kees)
        assert "Wie zet mijn container buiten?" in shown.text and shown.button_texts() == ["Ik help"]
        assert (await tap(world, kees, shown, "Ik help")).text == t("nl", "request.answer.claimed")
        await sb.next_message(kees, containing="Je helpt Fatma")
        await sb.next_message(fatma, containing="Kees helpt je")
        claimed = await store(world).get(posted.request_id)
        assert claimed is not None and claimed.helper_id == kees.id

        await tap(world, kees, menu, "Activiteiten")
        assert (await replied(world, kees)).text.startswith("De komende twee weken staat er nog niets.")
        await tap(world, kees, menu, "Vraag hulp")
        assert "Waarmee zoek je hulp?" in (await replied(world, kees)).text


async def test_my_things_shows_requests_claims_answers_the_waiting_list_and_wishes(
    world: World,
) -> None:
    sb = world.sb
    fatma, kees, youssef, anouk = (world.user(n) for n in ("Fatma", "Kees", "Youssef", "Anouk"))
    async with world.bot():
        await world.add_bot()
        await started(world, kees, youssef)
        await ask(world, fatma, text="Wie neemt melk mee?")
        helped = await ask(world, anouk, text="Wie hangt mijn lamp op?", kind="Klusje")
        await tap(world, kees, helped.card, "Ik help")
        await sb.next_message(kees, containing="Je helpt Anouk")
        card = await post_prepared(world, fatma, capacity=1)
        activity_id = await activity_of(world, card)
        activities = world.services.stores.activities
        now = world.clock.now()
        await activities.respond(activity_id, kees.id, RsvpChoice.GOING, now)
        await activities.respond(activity_id, youssef.id, RsvpChoice.GOING, now)

        await sb.say(fatma, fatma, "/mijn")
        assert (await replied(world, fatma)).text == "Dit loopt er nu voor je"
        mine = await replied(world, fatma)
        assert "Jouw vraag: Boodschappen" in mine.text and "Er helpt nog niemand." in mine.text
        assert mine.button_texts() == ["Tekst veranderen", "Tijd veranderen", "Stop mijn vraag"]

        await sb.say(kees, kees, "/vastebuur")
        question = await replied(world, kees)
        await tap(world, kees, question, plain("nl", "pairing.kind.company"))
        question = await sb.next_edit(kees)
        for choice in ("pf:d:3", "pf:p:afternoon"):
            await tap(world, kees, question, choice)
            question = await sb.next_edit(kees)
        # The same step reads the same in /aanbod and /vastebuur.
        assert "Verder" in question.button_texts() and "Klaar" not in question.button_texts()
        await tap(world, kees, question, "Verder")
        await sb.next_edit(kees)
        await sb.say(kees, kees, "/mijn")
        assert (await replied(world, kees)).text == "Dit loopt er nu voor je"
        helping = await replied(world, kees)
        assert "Je helpt Anouk: Klusje" in helping.text and "Wie hangt mijn lamp op?" in helping.text
        assert helping.button_texts() == ["Stuur Anouk een bericht via mij", "Het is gelukt",
                                          "Ik kan toch niet"]
        going = await replied(world, kees)
        assert "Samen soep eten" in going.text and "Je komt." in going.text
        assert going.button_texts() == ["Toch niet"]
        wished = await replied(world, kees)
        assert wished.button_texts() == ["Niet meer zoeken: Gezelschap of wandelen"]

        await sb.say(youssef, youssef, "/mine")
        await replied(world, youssef)
        waiting = await replied(world, youssef)
        assert "wachtlijst: nummer 1" in waiting.text
        assert waiting.button_texts() == ["Van de wachtlijst af"]

        # "Toch niet" from the private view frees the place for the first in line.
        answer = await tap(world, kees, going, "Toch niet")
        assert answer.text == t("nl", "activity.answer.no")
        await sb.next_message(youssef, containing="er is een plek vrij")
        answers = {r.user_id: r.status.value for r in await activities.rsvps(activity_id)}
        assert answers[kees.id] == "no" and answers[youssef.id] == "going"


async def test_my_things_shows_what_the_resident_organises_with_its_controls(
        world: World) -> None:
    sb = world.sb
    fatma, anouk, kees = world.user("Fatma"), world.user("Anouk"), world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, anouk, kees)
        card = await post_prepared(world, fatma, title="Wandelen", capacity=2)
        await tap(world, anouk, card, "Ik kom")
        await tap(world, kees, card, "Misschien")

        await sb.say(fatma, fatma, "/mijn")
        assert (await replied(world, fatma)).text == "Dit loopt er nu voor je"
        organised = await replied(world, fatma)
        assert "Wandelen" in organised.text and "Je organiseert dit." in organised.text
        assert "Komen: 1 · Misschien: 1" in organised.text
        assert organised.button_texts() == [
            "Tijd veranderen", "Waar veranderen", "Tekst veranderen", "Aantal plekken",
            "Wie komt", "Overdragen", "Afzeggen"]
        await tap(world, fatma, organised, "Wie komt")
        who = await sb.next_message(fatma, containing="Wie komt er")
        assert "Komen (1): Anouk" in who.text and "Misschien (1): Kees" in who.text

        # Those who answered see their answer, not the organiser's controls.
        await sb.say(kees, kees, "/mijn")
        await replied(world, kees)
        answered = await replied(world, kees)
        assert "Je komt misschien." in answered.text and "Afzeggen" not in answered.button_texts()

        await tap(world, fatma, organised, "Afzeggen")
        sure = await sb.next_edit(fatma, containing="afzeggen")
        await tap(world, fatma, sure, "Ja, zeg af")
        await sb.next_edit(fatma, containing="is afgezegd")
        assert "Gaat niet door" in (await card_now(world, card)).text
        await sb.say(fatma, fatma, "/mijn")
        assert "Er loopt nu niets voor je" in (await replied(world, fatma)).text

async def test_my_things_in_the_group_points_to_the_private_chat(world: World) -> None:
    sb, john = world.sb, world.user("John")
    async with world.bot():
        await world.add_bot()
        await sb.say(john, world.group, "/mijn")
        line = await sb.next_message(world.group)
        assert line.text == t("nl", "mine.go_private") and "Open Omzien" in line.url_buttons()
        await started(world, john)
        await sb.say(john, john, "/mine")
        nothing = await replied(world, john)
        assert nothing.text.startswith("Nothing is going on for you now")
        assert nothing.button_texts() == ["Ask for help", "Help someone", "Activities", "My things"]


async def test_a_flood_of_messages_is_answered_only_as_fast_as_commands(world: World) -> None:
    sb, kees = world.sb, world.user("Kees")
    async with world.bot():
        await world.add_bot()
        await started(world, kees)
        world.services.action_counter = ActionCounter(RateLimit(per_minute=2, per_hour=200))
        sb.mark()
        for number in range(5):
            await sb.say(kees, kees, f"hallo {number}")
        await sb.settle()
        menus = [e for e in sb.events_since_mark()
                 if e.method == "sendMessage" and e.chat_id == kees.id]
        assert len(menus) == 2
