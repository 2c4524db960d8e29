"""`python -m bot` is `newsbot`."""

from bot.cli import main

# Guarded: answer worker processes are spawned, and spawn imports the parent's main module.
if __name__ == "__main__":
    main()
