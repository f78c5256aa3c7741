"""``python -m drillsim`` runs the command line."""

from .cli import main

main()
