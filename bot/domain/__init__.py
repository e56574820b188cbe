"""What residents care about, as plain Python: no Telegram, no SQL, the clock passed in."""
