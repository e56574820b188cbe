"""The only place with SQL. One module per thing the bot keeps; `db` holds the connection."""
