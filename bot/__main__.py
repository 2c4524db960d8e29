"""`python -m bot` is `newsbot`."""

from bot.cli import main

main()
