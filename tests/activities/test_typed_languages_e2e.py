"""A resident who reads Polish types the activity's day and time in Polish, through the sandbox,
and is asked every question in Polish."""

from __future__ import annotations

from storage.activity_drafts import ActivityDraftStore
from tests.activities.test_activities_e2e import say
from tests.harness import World, local
from tests.languages.reading import chunks


def asked(key: str) -> str:
    """The first fixed words of a Polish question."""
    return chunks("pl", key)[0]


async def test_a_polish_resident_types_jutro_as_the_activitys_time(world: World) -> None:
    sb, agnieszka = world.sb, world.user("Agnieszka")
    async with world.bot():
        await world.add_bot()  # Monday 23 November, 11:00
        await sb.say(agnieszka, world.group, "/activiteit")
        line = await sb.next_message(world.group, containing="privé")
        await sb.open_private(agnieszka, line.url_buttons()["Maak een activiteit"])
        await sb.next_message(agnieszka, containing="Hoe heet")
        await world.services.residents.set_language(agnieszka.id, "pl")

        await say(world, agnieszka, "Pierogi razem", asked("activity.ask.description"))
        await say(world, agnieszka, "Gotujemy razem.", asked("activity.ask.when"))
        await say(world, agnieszka, "jutro 18:00", asked("activity.ask.end"))
        # Polish "do" is "until", not the Dutch Thursday
        await say(world, agnieszka, "do 20:00", asked("activity.ask.place"))

        draft = await ActivityDraftStore(world.services.db).draft(agnieszka.id)
        assert draft is not None
        assert draft.starts_at == local(2026, 11, 24, 18, 0)
        assert draft.ends_at == local(2026, 11, 24, 20, 0)
