"""Load test of the production server (`make load`, `python -m bench.load`): see __main__.py."""
