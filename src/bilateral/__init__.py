"""bilateral: Canada's trade and engagement measures as dated, cited, executable law."""

__version__ = "0.1.0"
