"""The Imereti Hub front-door bot: settings, wiring, channel adapters and the command line."""
