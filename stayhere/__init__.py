"""stayhere: a meeting finder and meeting rooms for 12-step fellowships that keeps nothing."""

__version__ = "0.1.0"
