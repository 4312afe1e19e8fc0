"""Miaopu (苗圃): run a city's young-cadre programmes end to end (选育管用)."""

__version__ = "0.1.0"
