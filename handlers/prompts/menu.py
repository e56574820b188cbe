"""The screens of /instellingen: what is set now, and per setting its choices, the current one
marked. One message that edits itself; every button comes back as `cfg:<field>:<value>`."""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dates_text import clock_text, weekday_name
from bot.domain import settings as rules
from bot.domain.community import Building
from bot.domain.languages import LANGUAGE_CODES
from bot.i18n import plain, plainn, t, tn
from bot.services import Services
from handlers.kit.buttons import button, keyboard
from handlers.prompts.links import link_to
from locales import native_name

PREFIX = "cfg"
CONTACT_LINK = "cfgcontact"

Rows = list[list[InlineKeyboardButton]]


def digest_text(building: Building, lang: str) -> str:
    s = building.settings
    if not s.digest_enabled:
        return t(lang, "settings.off")
    return t(lang, "settings.digest.on", day=weekday_name(lang, s.digest_weekday),
             hour=clock_text(lang, time(s.digest_hour)))


def summary(building: Building, lang: str) -> str:
    """What is set now, one line a setting."""
    s = building.settings
    nudge_text = (
        tn(lang, "settings.nudges.on", s.nudge_after_days)
        if s.nudges_enabled else t(lang, "settings.off")
    )
    return t(
        lang, "settings.summary",
        building=building.title,
        language=native_name(building.language),
        digest=digest_text(building, lang),
        nudges=nudge_text,
        quiet=t(lang, "settings.quiet.value", start=clock_text(lang, s.quiet_hours.start),
                end=clock_text(lang, s.quiet_hours.end)),
        bump=tn(lang, "settings.bump.value", s.bump_hours_before),
        max_open=s.max_open_requests,
        contact=s.care_contact or t(lang, "settings.contact.none"),
    )


def _option(label: str, *data: object, chosen: bool = False) -> InlineKeyboardButton:
    """A choice on one of the screens; the current one is marked."""
    return button(f"✓ {label}" if chosen else label, PREFIX, *data)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> Rows:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def main_keyboard(lang: str) -> InlineKeyboardMarkup:
    def screen(key: str, name: str) -> InlineKeyboardButton:
        return _option(plain(lang, key), "v", name)

    return keyboard(
        [screen("settings.button.language", "lang"), screen("settings.button.digest", "digest")],
        [screen("settings.button.nudges", "nudge"), screen("settings.button.quiet", "quiet")],
        [screen("settings.button.bump", "bump"), screen("settings.button.max_open", "max")],
        [screen("settings.button.contact", "contact")],
        [_option(plain(lang, "settings.button.done"), "done")],
    )


def _language_rows(building: Building) -> Rows:
    """Every language the bot speaks, each named in itself, two a row as /taal shows them."""
    return _rows([_option(native_name(code), "lang", code, chosen=code == building.language)
                  for code in LANGUAGE_CODES], 2)


def _digest_rows(building: Building, lang: str) -> Rows:
    s = building.settings
    days = [_option(weekday_name(lang, day, width="abbreviated", alone=True), rules.Field.DIGEST_DAY, day,
                    chosen=s.digest_enabled and s.digest_weekday == day) for day in range(7)]
    hours = [_option(clock_text(lang, time(hour)), rules.Field.DIGEST_HOUR, hour,
                     chosen=s.digest_enabled and s.digest_hour == hour)
             for hour in rules.DIGEST_HOURS]
    off = _option(plain(lang, "settings.button.off"), rules.Field.DIGEST_OFF, 0,
                  chosen=not s.digest_enabled)
    return [*_rows(days, 4), *_rows(hours, 4), [off]]


def _nudge_rows(building: Building, lang: str) -> Rows:
    s = building.settings
    options = [_option(plain(lang, "settings.button.off"), rules.Field.NUDGES, 0,
                       chosen=not s.nudges_enabled)]
    options += [_option(plainn(lang, "settings.button.days", days), rules.Field.NUDGES, days,
                        chosen=s.nudges_enabled and s.nudge_after_days == days)
                for days in rules.NUDGE_DAYS]
    return _rows(options, 3)


def _quiet_rows(building: Building, lang: str) -> Rows:
    return _rows([_option(plain(lang, "settings.quiet.value", start=clock_text(lang, preset.start),
                                end=clock_text(lang, preset.end)), rules.Field.QUIET, i,
                          chosen=preset == building.settings.quiet_hours)
                  for i, preset in enumerate(rules.QUIET_PRESETS)], 2)


def _bump_rows(building: Building, lang: str) -> Rows:
    return _rows([_option(plainn(lang, "settings.button.hours", hours), rules.Field.BUMP,
                          hours, chosen=building.settings.bump_hours_before == hours)
                  for hours in rules.BUMP_HOURS], 3)


def _max_open_rows(building: Building) -> Rows:
    return _rows([_option(str(count), rules.Field.MAX_OPEN, count,
                          chosen=building.settings.max_open_requests == count)
                  for count in rules.MAX_OPEN], 5)


async def _contact_rows(svc: Services, building: Building, lang: str) -> Rows:
    rows = [[await link_to(svc, plain(lang, "settings.button.type_contact"), CONTACT_LINK,
                           building.chat_id)]]
    if building.settings.care_contact:
        rows.append([_option(plain(lang, "settings.button.clear_contact"),
                             rules.Field.CONTACT_CLEAR, 0)])
    return rows


async def view(svc: Services, building: Building, name: str) -> tuple[str, InlineKeyboardMarkup]:
    """The text and keyboard of one screen of the menu ("main" or any unknown name: the whole
    menu)."""
    lang = building.language
    rows: Rows
    if name == "lang":
        text, rows = t(lang, "settings.view.language"), _language_rows(building)
    elif name == "digest":
        text = t(lang, "settings.view.digest", current=digest_text(building, lang))
        rows = _digest_rows(building, lang)
    elif name == "nudge":
        text, rows = t(lang, "settings.view.nudges"), _nudge_rows(building, lang)
    elif name == "quiet":
        text, rows = t(lang, "settings.view.quiet"), _quiet_rows(building, lang)
    elif name == "bump":
        text, rows = t(lang, "settings.view.bump"), _bump_rows(building, lang)
    elif name == "max":
        text, rows = t(lang, "settings.view.max_open"), _max_open_rows(building)
    elif name == "contact":
        text = t(lang, "settings.view.contact",
                 contact=building.settings.care_contact or t(lang, "settings.contact.none"))
        rows = await _contact_rows(svc, building, lang)
    else:
        return summary(building, lang) + "\n\n" + t(lang, "settings.tap"), main_keyboard(lang)
    back = [_option(plain(lang, "settings.button.back"), "v", "main")]
    return text, keyboard(*rows, back)
