"""``python -m drillsim`` runs the command line."""

from .cli import main

if __name__ == "__main__":  # a spawned worker (a Dask LocalCluster's) imports this module too
    main()
