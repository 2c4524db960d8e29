"""What the tests share (as python-telegram-bot's tests/auxil): paths and settings, the CLI
runner, HTTP servers on loopback (http) and the feed and page servers built on them. Test
modules import from here, never from each other; the fake Bot API is `bot.telegram.loopback`,
since bench/ and docs/ run the bot against it too."""
