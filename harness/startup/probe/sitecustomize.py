# buildbench start-up probe, mounted read-only into measured containers and put on
# PYTHONPATH. It times the interpreter from its own start to the ready line and counts
# how modules were loaded: from a valid stored .pyc, or compiled from source.
# It chains to an image's own sitecustomize, if there is one.
import os
import re
import sys
import time
import importlib._bootstrap_external as _external

# Across exec (poetry run -> gunicorn) the first interpreter's start is kept.
_T0 = int(os.environ.setdefault("BUILDBENCH_T0_NS", str(time.monotonic_ns())))
_PATTERN = re.compile(os.environ.get("BUILDBENCH_READY_PATTERN", "(?!)"))
_counts = {"loaded": 0, "compiled": 0}
_get_code = _external.SourceLoader.get_code
_source_to_code = _external.SourceLoader.source_to_code


def _counting_get_code(self, fullname):
    _counts["loaded"] += 1
    return _get_code(self, fullname)


def _counting_source_to_code(self, data, path, *, _optimize=-1):
    # Only called when no valid .pyc was found (missing, stale or unreadable).
    _counts["compiled"] += 1
    return _source_to_code(self, data, path, _optimize=_optimize)


_external.SourceLoader.get_code = _counting_get_code
_external.SourceLoader.source_to_code = _counting_source_to_code


class _Watch:
    """Passes writes through; after the first ready line, reports once."""

    def __init__(self, stream):
        self._stream = stream
        self._pending = ""

    def write(self, text):
        result = self._stream.write(text)
        self._pending = (self._pending + text)[-4096:]
        if "\n" in self._pending:
            lines = self._pending.split("\n")
            self._pending = lines[-1]
            if not _Watch.reported and any(_PATTERN.search(line) for line in lines[:-1]):
                _Watch.reported = True
                now = time.monotonic_ns()
                from_pyc = _counts["loaded"] - _counts["compiled"]
                self._stream.write(
                    f"\nbuildbench-inside: ready_ns={now - _T0} from_pyc={from_pyc} "
                    f"compiled={_counts['compiled']}\n")
                self._stream.flush()
        return result

    def __getattr__(self, name):
        return getattr(self._stream, name)


_Watch.reported = False
sys.stdout = _Watch(sys.stdout)
sys.stderr = _Watch(sys.stderr)

# Chain to the image's own sitecustomize, if any.
_here = os.path.dirname(os.path.abspath(__file__))
_saved_path = list(sys.path)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_self = sys.modules.pop("sitecustomize", None)
try:
    import sitecustomize  # noqa: F401
except ImportError:
    pass
finally:
    sys.path[:] = _saved_path
    if _self is not None and "sitecustomize" not in sys.modules:
        sys.modules["sitecustomize"] = _self
