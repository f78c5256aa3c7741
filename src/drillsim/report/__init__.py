"""The quarterly preparedness report (``drillsim report``).

``recipe`` reads what a report covers; ``runs`` runs it or reuses the store's runs; ``findings``
turns the numbers into the summary and recommendations; ``whatif`` adds the crossover and the
sensitivity from ``drillsim.compare``; ``build`` assembles the sections; ``figures``,
``render`` and ``pdf`` write them; ``publish`` puts the folder in place.
"""

from .build import Report, build
from .publish import Published, default_folder, publish
from .recipe import Recipe, load_recipe

__all__ = ["Published", "Recipe", "Report", "build", "default_folder", "load_recipe", "publish"]
