"""libpq version reporting, compiled from source at install time."""
from pqinfo._pqinfo import libpq_version

__all__ = ["libpq_version"]
