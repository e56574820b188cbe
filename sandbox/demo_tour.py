"""The demo's building and residents, the help it prints and the tour it suggests."""

from __future__ import annotations

BUILDING = "Flat De Linde"
RESIDENTS = [
    ("Marieke", "Jansen", "nl"),
    ("Fatma", "Yilmaz", "nl"),
    ("Mehmet", "Demir", "tr"),
    ("Youssef", "El Amrani", "nl"),
    ("Khadija", "Bennani", "ar"),
    ("Agnieszka", "Kowalska", "pl"),
    ("Piotr", "Nowak", "en"),
    ("Oksana", "Shevchenko", "uk"),
    ("Dmytro", "Kovalenko", "en"),
    ("Kees", "Bakker", "nl"),
    ("Anouk", "de Vries", "nl"),
    ("Henk", "Visser", "nl"),
]

USAGE = f"""\
You are in the Telegram group "{BUILDING}" with {len(RESIDENTS)} neighbours and the bot Omzien.
Speak as any resident (the first is the group's admin):
  Fatma: /help               Fatma writes in the group
  Fatma> /start              Fatma writes to the bot in a private chat
  Fatma press 3 Ik help      Fatma presses the button "Ik help" on message #3
  Fatma press Ik help        ... on the latest message she can see with that button
  Fatma open 1 Begin hier    Fatma follows the link button "Begin hier" on message #1
  clock +1d   clock +2h   clock 19:00   clock wo 19:00
                             move the bot's clock; what falls due on the way happens
  who    the residents and their languages   tour    what to try   help    this text   quit
Each resident reads the bot in the language their Telegram is set to: Mehmet Türkçe, Khadija
العربية, Agnieszka Polski, Oksana Українська, Piotr and Dmytro English, the others Dutch.
"""

TOUR = """\
A short tour (the clock starts on a Monday at 10:00). Type the lines after ">":
 Fatma asks her neighbours for a hand, privately:
  > Fatma open Begin hier
  > Fatma> /vraag
  > Fatma press Boodschappen
  > Fatma> Wie neemt melk voor me mee?
  > Fatma press Vandaag
  > Fatma press Met mijn naam (Fatma)
  > Fatma press Plaats in de groep
 Each neighbour reads the bot in their own language; the group keeps Dutch:
  > Mehmet> /start
  > Khadija> /start
  > Agnieszka> /start
  > Oksana> /privacy
 Kees organises coffee for Wednesday evening, and Anouk comes:
  > Kees open Begin hier
  > Kees> /activiteit
  > Kees> Koffie in de hal
  > Kees> Samen koffie drinken, iedereen is welkom.
  > Kees> wo 19:00
  > Kees> 21:00
  > Kees> De hal
  > Kees press Geen maximum
  > Kees press Eén keer
  > Kees press Plaatsen
  > Anouk open Begin hier
  > Anouk press Ik kom
  > Anouk press In mijn agenda
   (the calendar file is saved in a folder; its path is printed)
 Now move the clock and watch what the bot does by itself:
  > clock 18:30
   (nobody took Fatma's request yet: the group is reminded once, the bump)
  > clock 21:30
   (its time has come: the card says so at once, the expiry)
  > clock +1d
   (the next morning Fatma may ask again; Tuesday evening Anouk's reminder, with its buttons)
  > Fatma press Deze week
  > clock +1d
   (Wednesday: the coffee, then the look-back asks who came)
  > Anouk press Fijn
  > clock +4d
   (Sunday evening: the weekly digest)
"""


def tour_lines() -> list[str]:
    """The lines the tour asks to type, in order."""
    return [line.split("> ", 1)[1] for line in TOUR.splitlines() if line.lstrip().startswith("> ")]
