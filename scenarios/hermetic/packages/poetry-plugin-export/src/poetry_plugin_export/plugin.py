"""`poetry export`: the locked packages of the selected groups as requirements.txt."""
from __future__ import annotations

from pathlib import Path

from cleo.helpers import option
from poetry.console.commands.group_command import GroupCommand
from poetry.plugins.application_plugin import ApplicationPlugin

# Markers are evaluated for the images this runs in: CPython 3.11 on Linux.
ENVIRONMENT = {
    "python_version": "3.11",
    "python_full_version": "3.11.2",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
}


class ExportCommand(GroupCommand):
    name = "export"
    description = "Exports the lock file to requirements.txt (pinned, with sha256 hashes)."
    options = [
        option("format", "f", "Format to export to.", flag=False, default="requirements.txt"),
        option("output", "o", "The file to write to (default: standard output).", flag=False),
        option("without-hashes", None, "Leave out the hashes.", flag=True),
        *GroupCommand._group_dependency_options(),
    ]

    def handle(self) -> int:
        if self.option("format") != "requirements.txt":
            self.line_error(f"<error>Unsupported format: {self.option('format')}</error>")
            return 1
        locker = self.poetry.locker
        if not locker.is_locked():
            self.line_error("<error>No lock file found; run poetry lock first.</error>")
            return 1
        root = self.project_with_activated_groups_only()
        packages = {p.name: p for p in locker.locked_repository().packages}
        selected = {}
        pending = [(dep, set(dep.extras)) for dep in root.all_requires]
        while pending:
            dep, extras = pending.pop()
            if not dep.marker.validate(ENVIRONMENT):
                continue
            package = packages.get(dep.name)
            if package is None or package.name in selected and not extras:
                continue
            first_visit = package.name not in selected
            selected[package.name] = package
            for requirement in package.requires if first_visit else []:
                if not requirement.is_optional():
                    pending.append((requirement, set(requirement.extras)))
            for extra in extras:
                for requirement in package.extras.get(extra, []):
                    name = getattr(requirement, "name", requirement)
                    candidates = [r for r in package.requires if r.name == name]
                    for candidate in candidates or []:
                        pending.append((candidate, set(candidate.extras)))
        lines = []
        for name in sorted(selected):
            package = selected[name]
            line = f"{package.pretty_name}=={package.version}"
            if not self.option("without-hashes"):
                hashes = sorted({f["hash"] for f in package.files if f.get("hash")})
                line += "".join(f" \\\n    --hash={h}" for h in hashes)
            lines.append(line)
        text = "\n".join(lines) + "\n"
        output = self.option("output")
        if output:
            Path(output).write_text(text)
        else:
            self.io.write(text)
        return 0


class ExportApplicationPlugin(ApplicationPlugin):
    @property
    def commands(self):
        return [ExportCommand]
