"""The package version: kept equal to the npm package's (a test compares them)."""

__version__ = "0.1.0"
