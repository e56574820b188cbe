"""What every feature shares: the services, the reader's language, a press and a command opened
once (press, command), buttons, guards, cards, private flows and the one way to send.

A feature package imports from here and from its own domain and storage modules, never from
another feature's handlers.
"""
