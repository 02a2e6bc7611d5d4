"""The staff console: server-rendered pages under /console, served by the bot's web server."""
