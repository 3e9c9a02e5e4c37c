"""What the deployment requires of the Dockerfile, beyond what hadolint checks.

A small reader turns the Dockerfile into instructions (continuation lines joined, comments
dropped) grouped by stage; each check returns the problems it finds, as sentences.
"""

import json
import re
import shlex
from collections.abc import Callable

import attrs

RUNTIME_BASE_IMAGE = "python:3.11-slim-bookworm"
SERVER_COMMAND = ["gunicorn", "-c", "python:ota_web.gunicorn_conf", "ota_web.wsgi:app"]
REQUIRED_ENV = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PROMETHEUS_MULTIPROC_DIR")
ROOT_USERS = {"", "root", "0"}


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


def _environment(stages: list[Stage]) -> list[str]:
    env = stages[-1].env() if stages else {}
    return [f"{name} is not set in the final stage" for name in REQUIRED_ENV if name not in env]


CHECKS: tuple[Callable[[list[Stage]], list[str]], ...] = (
    _multi_stage,
    _unprivileged,
    _serves_http,
    _environment,
)


def dockerfile_problems(text: str) -> list[str]:
    stages = parse_stages(text)
    return [problem for check in CHECKS for problem in check(stages)]
