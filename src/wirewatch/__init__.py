"""wirewatch: monitor news wires for tracked topics."""

__version__ = "0.1.0"
