"""What the deployment requires of the Dockerfile, beyond what hadolint checks.

A small reader turns the Dockerfile into instructions (continuation lines joined, comments
dropped) grouped by stage; each check returns the problems it finds, as sentences.
"""

import itertools
import json
import re
import shlex
from collections.abc import Callable

import attrs
from locks import installs_without_hashes

RUNTIME_BASE_IMAGE = "python:3.11-slim-bookworm"
SERVER_COMMAND = ["gunicorn", "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]
REQUIRED_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PROMETHEUS_MULTIPROC_DIR")
ROOT_USERS = {"", "root", "0"}
RUNTIME_LOCK = "requirements/runtime.txt"


@attrs.frozen
class Instruction:
    keyword: str
    arguments: str


@attrs.frozen
class Stage:
    base: str
    name: str
    instructions: list[Instruction]

    def arguments_of(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def pip_commands(self) -> list[list[str]]:
        """The words of each pip command its RUN instructions chain with `&&`, from `pip` on."""
        commands = (
            shlex.split(command) for run in self.arguments_of("RUN") for command in run.split("&&")
        )
        return [words[words.index("pip") :] for words in commands if "pip" in words]

    def env(self) -> dict[str, str]:
        pairs = (
            word.split("=", 1) for line in self.arguments_of("ENV") for word in shlex.split(line)
        )
        return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def parse_instructions(text: str) -> list[Instruction]:
    """Instructions in order; `\\`-continued lines joined, comment lines skipped."""
    logical = re.sub(r"\\\n(?:[ \t]*#[^\n]*\n)*", " ", text)
    instructions = []
    for line in logical.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, arguments = stripped.partition(" ")
            instructions.append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return instructions


def parse_stages(text: str) -> list[Stage]:
    stages: list[Stage] = []
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.arguments.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            stages.append(Stage(base=words[0], name=name, instructions=[]))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages


def _multi_stage(stages: list[Stage]) -> list[str]:
    problems = []
    if len(stages) < 2:
        problems.append("the build is not multi-stage")
    if not any("pip wheel" in run for stage in stages[:-1] for run in stage.arguments_of("RUN")):
        problems.append("no build stage runs `pip wheel`")
    if stages and stages[-1].base != RUNTIME_BASE_IMAGE:
        problems.append(f"the final stage is not based on {RUNTIME_BASE_IMAGE}")
    return problems


def _unprivileged(stages: list[Stage]) -> list[str]:
    users = stages[-1].arguments_of("USER") if stages else []
    user = users[-1].split(":")[0] if users else ""
    return ["the final stage runs as root"] if user in ROOT_USERS else []


def _serves_http(stages: list[Stage]) -> list[str]:
    final = stages[-1] if stages else Stage("", "", [])
    problems = []
    if "8000" not in " ".join(final.arguments_of("EXPOSE")).split():
        problems.append("port 8000 is not exposed")
    health = " ".join(final.arguments_of("HEALTHCHECK"))
    if "/healthz" not in health or "urllib" not in health:
        problems.append("the HEALTHCHECK does not fetch /healthz with urllib")
    commands = final.arguments_of("CMD")
    if not commands or json.loads(commands[-1]) != SERVER_COMMAND:
        problems.append(f"the default command is not {' '.join(SERVER_COMMAND)}")
    return problems


def _locks_read(command: list[str]) -> set[str]:
    return {after for before, after in itertools.pairwise(command) if before == "-r"}


def _reads_with_hashes(command: list[str], lock: str) -> bool:
    """`command` reads `lock` (by that path or under a mount point) in hash-checking mode."""
    read = _locks_read(command)
    return "--require-hashes" in command and any(path.endswith(lock) for path in read)


def _installs_what_the_runtime_lock_pins(stages: list[Stage]) -> list[str]:
    """The build stage fetches the runtime lock's wheels and the final stage installs them; every
    other pip command checks hashes or takes no dependencies, so none resolves on its own."""
    fetches = [c for stage in stages[:-1] for c in stage.pip_commands() if "wheel" in c]
    installs = [c for c in (stages[-1].pip_commands() if stages else []) if "install" in c]
    problems = []
    if not any(_reads_with_hashes(command, RUNTIME_LOCK) for command in fetches):
        problems.append(f"no build stage fetches the wheels of {RUNTIME_LOCK} by their hashes")
    if not any(_reads_with_hashes(command, RUNTIME_LOCK) for command in installs):
        problems.append(f"the final stage does not install {RUNTIME_LOCK} by its hashes")
    problems += [
        f"the final stage installs {path}, not the runtime lock"
        for command in installs
        for path in sorted(_locks_read(command))
        if not path.endswith(RUNTIME_LOCK)
    ]
    problems += [
        f"pip resolves dependencies without hashes: {' '.join(command)}"
        for stage in stages
        for command in stage.pip_commands()
        if installs_without_hashes(command)
    ]
    return problems


def _environment(stages: list[Stage]) -> list[str]:
    env = stages[-1].env() if stages else {}
    return [f"{name} is not set in the final stage" for name in REQUIRED_ENV if name not in env]


CHECKS: tuple[Callable[[list[Stage]], list[str]], ...] = (
    _multi_stage,
    _unprivileged,
    _serves_http,
    _environment,
    _installs_what_the_runtime_lock_pins,
)


def dockerfile_problems(text: str) -> list[str]:
    stages = parse_stages(text)
    return [problem for check in CHECKS for problem in check(stages)]
