"""Peers Atlas is measured against in `make bench` (bench.peers.measure): a naive Dash app and Apache Superset."""
