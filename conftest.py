"""Fixtures for every test pytest collects: tests/, and the doctests of powerplan/,
docs/ and the README."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test or doctest opened through pyplot, so they do not pile up."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
