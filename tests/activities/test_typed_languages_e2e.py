"""A resident who reads Polish types the activity's day and time in Polish, through the sandbox;
the questions are Dutch until the Polish texts are there."""

from __future__ import annotations

from storage.activity_drafts import ActivityDraftStore
from tests.activities.test_activities_e2e import say
from tests.harness import World, local


async def test_a_polish_resident_types_jutro_as_the_activitys_time(world: World) -> None:
    sb, agnieszka = world.sb, world.user("Agnieszka")
    async with world.bot():
        await world.add_bot()  # Monday 23 November, 11:00
        await sb.say(agnieszka, world.group, "/activiteit")
        line = await sb.next_message(world.group, containing="privé")
        await sb.open_private(agnieszka, line.url_buttons()["Maak een activiteit"])
        await sb.next_message(agnieszka, containing="Hoe heet")
        await world.services.residents.set_language(agnieszka.id, "pl")

        await say(world, agnieszka, "Pierogi razem", "Vertel")
        await say(world, agnieszka, "Gotujemy razem.", "Wanneer")
        await say(world, agnieszka, "jutro 18:00", "afgelopen")
        await say(world, agnieszka, "do 20:00", "Waar is het")  # Polish "until", not Thursday

        draft = await ActivityDraftStore(world.services.db).draft(agnieszka.id)
        assert draft is not None
        assert draft.starts_at == local(2026, 11, 24, 18, 0)
        assert draft.ends_at == local(2026, 11, 24, 20, 0)
