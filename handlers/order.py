"""The handler groups, in one place, because their order decides who sees an update first.

PTB tries groups from the lowest number up; within a group the first matching handler wins, and
every group gets its turn unless a handler stops the update (ApplicationHandlerStop). Features'
commands and buttons all live in group 0, in the order of `bot.app.FEATURES`. A private text
message is offered to each flow's group in turn; a flow answers only when its own draft is
waiting for that resident, so typed answers never reach the wrong flow.
"""

SCREEN = -50
"""Odd senders (anonymous admins, other bots, channels, edited messages), updates that lack the
fields every handler relies on, and presses that are no button of the bot: before everything,
so no handler (nor its filter) sees them."""
CONTACT_MOVED_ON = -40
"""A private command ends an admin's wait for the care contact before any feature sees it
(never stops the update), so the wait cannot catch text meant for what the command starts."""
RATE_LIMIT = -10
"""Per-resident limit on commands and presses: after the screen, before every feature."""
WORKER_START = -5
"""A community worker's invitation that is used up gets its own answer, before /start itself."""
FEATURES = 0
"""Every feature's commands and buttons."""
FLOWS = 5
"""Typed answers and /stop of every private flow (handlers.kit.flows), to the one that waits."""
PAIRING_BLOCKED = 33
"""Sees a resident block the bot, to end their pairings (group 0 records the block too)."""
HOME = 90
"""The private chat always answers: what nothing else took (free text no flow waits for, a
voice message, a sticker, an unknown command) gets the private menu (handlers.community.home)."""
LAST = 100
"""The safety net: a button press no feature answered still gets an answer."""
