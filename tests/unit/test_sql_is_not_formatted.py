"""No SQL text is built by string formatting, except a listed few constants.

Values reach the database as bound parameters only; SQL made with an
f-string, `%` or `.format()` is where injection starts. ruff's S608 catches
some of it (SELECT/INSERT/UPDATE/DELETE text); this scan also sees DDL,
LOCK, TRUNCATE and text built in several steps, in every Python file of the
project, tests and migrations included. Each place that does interpolate
is listed below with the names it interpolates and why they are safe.
"""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE|DROP|ALTER|TRUNCATE|LOCK\s+TABLE"
    r"|GRANT|REVOKE|WHERE|FROM|VALUES|SET\s+\w+\s*=|ORDER\s+BY|LIMIT|JOIN)\b"
)
SQL_CALLS = {"text", "execute", "exec_driver_sql"}
MIGRATION_0002 = "ota_adapters/postgres/migrations/versions/0002_reservation_ids.py"
MIGRATION_0006 = "ota_adapters/postgres/migrations/versions/0006_holds.py"
EXPLAIN = "scripts/explain_search.py"
MATRIX_DESIGNS = "bench/matrix_designs.py"
WRITE_SQL = "bench/write_sql.py"

# (file, interpolated expressions) -> why they cannot carry input.
ALLOWED: dict[tuple[str, tuple[str, ...]], str] = {
    ("ota_adapters/postgres/migration.py", ("VERSION_TABLE",)): "Alembic's table name, a constant",
    ("ota_adapters/postgres/databases.py", ("_quoted(name)",)): (
        "a database name cannot be a parameter of CREATE/DROP DATABASE; it is quoted as an "
        "identifier, and the names come from the configuration and the tests, not requests"
    ),
    ("ota_adapters/postgres/legacy_checks.py", ("LONGEST_STAY_NIGHTS",)): "the domain's constant",
    ("ota_adapters/postgres/legacy_checks.py", ("_VALID_NIGHTS",)): "a constant predicate",
    ("ota_adapters/postgres/legacy_checks.py", ("_PLAIN_PROPERTY_ID",)): "a constant predicate",
    ("ota_adapters/postgres/legacy_checks.py", ("check.query", "limit")): (
        "a query of the CHECKS constants, with the caller's row limit (an int)"
    ),
    ("ota_adapters/postgres/legacy_ids.py", ("LEGACY_RESERVATION_NAMESPACE",)): (
        "the UUID namespace of legacy ids, a constant"
    ),
    ("ota_adapters/postgres/free_gaps.py", ("CHUNK_SIZE", "CHUNK_SPACING")): (
        "the chunks' size and spacing, module constants"
    ),
    (
        "ota_adapters/postgres/free_gaps.py",
        ("takes_gap('reservation', holds=holds)", "takes_gap('r', holds=holds)"),
    ): ("the constant predicate of a stay taking a gap, before or with holds"),
    ("ota_adapters/postgres/free_gaps.py", ("gaps_from_stays(holds=holds)",)): (
        "the module's constant query, before or with holds"
    ),
    (
        "ota_adapters/postgres/gap_sync.py",
        ("takes_gap('OLD', holds=holds)", "takes_gap('NEW', holds=holds)"),
    ): ("the constant predicate of a stay taking a gap, before or with holds"),
    ("ota_adapters/postgres/gap_sync.py", ("new", "old", "expiry", "old", "new", "changed")): (
        "constant fragments of the triggers, before or with holds"
    ),
    ("ota_adapters/postgres/search_function.py", ("property_id", "LONGEST_STAY_NIGHTS")): (
        "a constant column reference and the schema's look-back"
    ),
    (
        "ota_adapters/postgres/search_function.py",
        (
            "at_time",
            "PROBE_BUDGET",
            "SPARSE_CAP",
            "LONGEST_STAY_NIGHTS",
            "live",
            "sparse_hold",
            "dense_hold",
        ),
    ): "the function's default bounds, look-back and constant fragments before or with holds",
    ("ota_adapters/postgres/free_gaps.py", ("CHUNK_SIZE", "CHUNK_SIZE", "CHUNK_SPACING")): (
        "the chunks' size and spacing, module constants"
    ),
    (MIGRATION_0002, ("LONGEST_STAY_NIGHTS", "CONFIRMED_ONLY")): "the schema's constants",
    ("ota_adapters/postgres/holds.py", ("CONFIRMED_ONLY",)): (
        "the partial index predicate, a constant: a parameter would keep the index unused"
    ),
    ("ota_adapters/postgres/search.py", ("CONFIRMED_ONLY",)): (
        "the partial index predicate, a constant: a parameter would keep the index unused"
    ),
    ("ota_adapters/postgres/moves.py", ("CONFIRMED_ONLY",)): (
        "the partial index predicate, a constant: a parameter would keep the index unused"
    ),
    (MIGRATION_0002, ("CONFIRMED_ONLY",)): "the partial index predicate, a constant",
    (MIGRATION_0006, ("CONFIRMED_ONLY",)): "the partial index predicate, a constant",
    (MIGRATION_0006, ("HOLDS_ONLY",)): "the holds' index predicate, a constant",
    (MIGRATION_0002, ("_quoted(name)",)): (
        "a constraint name read from the catalog, quoted as an identifier (DDL takes no parameters)"
    ),
    ("tests/postgres_servers.py", ("', '.join(present)",)): "the test module's table names",
    ("tests/integration/postgres/test_free_gaps.py", ("GAPS_FROM_STAYS",)): (
        "the adapter's constant query recomputing the gaps"
    ),
    ("tests/integration/postgres/test_partitioning.py", ("n", "PARTITIONS", "n")): (
        "a partition's number and the partition count, ints of the test's own loop: "
        "partition bounds take no parameters"
    ),
    ("tests/integration/postgres/test_engine.py", ("name",)): (
        "setting names from the test's own list: SHOW takes no parameters"
    ),
    # The benchmarks build schema and query variants from their own fixed fragments.
    ("bench/designs.py", ("schema.LONGEST_STAY_NIGHTS",)): "the schema's look-back constant",
    ("bench/designs.py", ("self.probe.format(**values)", "values")): (
        "a design's query from its constant parts and the driver's placeholders (values are bound)"
    ),
    ("bench/embedded.py", ("database",)): (
        "the benchmark's database name from its options: CREATE DATABASE takes no parameters"
    ),
    ("bench/generate.py", ("key", "'k, ' if shape.property_key else ''", "DESCRIPTION")): (
        "column lists chosen by the shape's flags, and a constant expression"
    ),
    ("bench/generate.py", ("id_column", "key_column", "id_value", "key_value")): (
        "column lists chosen by the shape's flags"
    ),
    ("bench/schema.py", ("key_column",)): "a column definition chosen by a flag",
    ("bench/schema.py", ("key_column", "LONGEST_STAY_NIGHTS")): (
        "a column definition chosen by a flag, and the schema's constant"
    ),
    ("bench/search_designs.py", ("name",)): "index names, constants of bench/schema.py",
    ("bench/embedded.py", ("name",)): (
        "a server setting's name, letters and underscores only (bench.db.parse_setting): "
        "ALTER SYSTEM takes no parameter for it"
    ),
    ("bench/gap_schema.py", ("CHUNK_SPACING",)): "a module constant",
    ("bench/gap_schema.py", ("GAPS_FROM_STAYS",)): "the module's constant query",
    ("bench/gap_upkeep.py", ("SYNC_FUNCTION.replace('{lock}', lock)",)): (
        "the trigger function with a lock clause chosen by a flag"
    ),
    ("bench/matrix_data.py", ("CURSOR_TABLE", "CURSOR_TABLE")): "a constant table name",
    ("bench/matrix_data.py", ("CURSOR_TABLE",)): "a constant table name",
    ("bench/matrix_data.py", ("table", "columns")): (
        "COPY's table and columns, constants of the callers: COPY takes no parameters"
    ),
    # The search designs are assembled from the module's own fixed fragments.
    (MATRIX_DESIGNS, ("LONGEST_STAY_NIGHTS",)): "the schema's look-back constant",
    (MATRIX_DESIGNS, ("STAY",)): "a fragment of the module",
    (MATRIX_DESIGNS, ("CURSOR_CHUNK", "STAY", "CURSOR_CHUNK")): "fragments of the module",
    (MATRIX_DESIGNS, ("DESCRIPTION",)): "a fragment of the module",
    (MATRIX_DESIGNS, ("PROBE",)): "a fragment of the module",
    (MATRIX_DESIGNS, ("PROBED", "DESCRIPTION")): "fragments of the module",
    (MATRIX_DESIGNS, ("PROBED", "STAY", "DESCRIPTION", "DESCRIPTION")): "fragments of the module",
    (MATRIX_DESIGNS, ("'%(after)s'", "'%(limit)s'")): "psycopg2 placeholders",
    (MATRIX_DESIGNS, ("FALLBACK_AFTER", "FALLBACK_LIMIT")): "fragments of the module",
    (MATRIX_DESIGNS, ("'(SELECT after FROM fallback)'", "FALLBACK_LIMIT")): (
        "fragments of the module"
    ),
    (MATRIX_DESIGNS, ("on_gaps",)): "a design built from the module's fragments",
    (MATRIX_DESIGNS, ("gaps_after_probe",)): "a design built from the module's fragments",
    (MATRIX_DESIGNS, ("on_chunks",)): "a design built from the module's fragments",
    (MATRIX_DESIGNS, ("chunks_after_probe",)): "a design built from the module's fragments",
    (MATRIX_DESIGNS, ("chunks_after_sparse",)): "a design built from the module's fragments",
    ("bench/matrix_run.py", ("design.sql(first_page=not sample.after)",)): (
        "EXPLAIN before a design's constant SQL; its values are bound"
    ),
    ("tests/citus/test_citus_routing.py", ("compiled",)): (
        "EXPLAIN before an adapter's statement, compiled; its values are bound"
    ),
    ("bench/matrix_throughput.py", ("CURSOR_TABLE",)): "a constant table name",
    ("bench/write_pgbench.py", ("CURSOR_TABLE",)): "a constant table name",
    ("bench/write_profile.py", ("sql",)): (
        "EXPLAIN before a constant statement of bench.write_sql; its values are bound"
    ),
    # The write path's ways are assembled from the module's own fixed fragments.
    (WRITE_SQL, ("LOCK", "PICK")): "fragments of the module",
    (WRITE_SQL, ("PICK",)): "a fragment of the module",
    (WRITE_SQL, ("PICK", "RELEASE_CTES.format(freed='cancelled')")): "fragments of the module",
    (WRITE_SQL, ("PICK", "RELEASE_CTES.format(freed='moved')")): "fragments of the module",
    (WRITE_SQL, ("'(SELECT %(p)s::text AS property_id) AS v'",)): (
        "a fragment with a psycopg2 placeholder"
    ),
    (WRITE_SQL, ("TAKE_CTES.format(taken='taken')",)): "fragments of the module",
    (WRITE_SQL, ("'locked'",)): "a CTE name",
    (WRITE_SQL, ("'booked'",)): "a CTE name",
    (WRITE_SQL, ("'cancelled'",)): "a CTE name",
    (WRITE_SQL, ("'moved'",)): "a CTE name",
    (WRITE_SQL, ("'taken'",)): "a CTE name",
    # A developer's measuring script: query variants put together from its own fragments.
    (EXPLAIN, ("LOOK_BACK", "''")): "constant fragments",
    (EXPLAIN, ("'r.start_date < :end AND r.end_date > :start'", "'OFFSET 0'")): "constants",
    (EXPLAIN, ("'daterange(r.start_date, r.end_date) && daterange(:start, :end)'", "'OFFSET 0'")): (
        "constants"
    ),
    (EXPLAIN, ("query",)): "one of the variants above, to EXPLAIN it",
    (EXPLAIN, ("_shipped(stays[0])",)): (
        "the adapter's query compiled with literal dates the script picked itself, to EXPLAIN it"
    ),
}


@attrs.frozen
class Formatted:
    """SQL text built by formatting: where, and the source of what goes into it."""

    path: str
    line: int
    interpolated: tuple[str, ...]


def _python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [ROOT / name for name in listed if (ROOT / name).exists()]


def _constant_text(node: ast.AST, sql_names: frozenset[str] = frozenset()) -> str:
    """The literal text inside a (possibly formatted) string expression, or a name bound to SQL."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_constant_text(part) for part in node.values)
    if isinstance(node, ast.Name) and node.id in sql_names:
        return "SELECT"  # stands for the SQL the name was given
    return ""


def _formatting(node: ast.AST, sql_names: frozenset[str]) -> tuple[str, list[ast.AST]] | None:
    """(literal text, interpolated expressions) when `node` formats a string, else None."""
    if isinstance(node, ast.JoinedStr):
        values = [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
        return (_constant_text(node), list(values)) if values else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        sides = [node.left, node.right]
        texts = [_constant_text(side, sql_names) for side in sides]
        others = [side for side, text in zip(sides, texts, strict=True) if not text]
        if any(texts) and others and not isinstance(node.left, ast.BinOp):
            return "".join(texts), others
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        template = _constant_text(node.func.value, sql_names)
        if node.func.attr == "format" and template:
            return template, [*node.args, *(k.value for k in node.keywords)]
    return None


def _names_bound_to_sql(tree: ast.AST) -> frozenset[str]:
    """Names assigned a literal SQL text (`query = "SELECT ..."`), to follow into `.format`."""
    return frozenset(
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and SQL.search(_constant_text(node.value))
        for target in node.targets
        if isinstance(target, ast.Name)
    )


def _sql_arguments(tree: ast.AST) -> set[int]:
    """The ids of the nodes passed to `text(...)` or `execute(...)`: SQL whatever they read."""
    return {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", getattr(node.func, "id", None)) in SQL_CALLS
        for argument in node.args[:1]
    }


def formatted_sql(path: Path, source: str) -> Iterator[Formatted]:
    relative = path.relative_to(ROOT).as_posix() if path.is_absolute() else path.as_posix()
    tree = ast.parse(source)
    sql_names, sql_arguments = _names_bound_to_sql(tree), _sql_arguments(tree)
    for node in ast.walk(tree):
        found = _formatting(node, sql_names)
        if found is not None and (SQL.search(found[0]) or id(node) in sql_arguments):
            interpolated = tuple(ast.unparse(value) for value in found[1])
            yield Formatted(relative, getattr(node, "lineno", 0), interpolated)


def _project_findings() -> list[Formatted]:
    return [
        found
        for path in _python_files()
        for found in formatted_sql(path, path.read_text(encoding="utf-8"))
    ]


def test_sql_is_formatted_only_with_the_listed_constants() -> None:
    unlisted = [
        f"{f.path}:{f.line} interpolates {', '.join(f.interpolated)}"
        for f in _project_findings()
        if (f.path, f.interpolated) not in ALLOWED
    ]
    assert unlisted == [], "bind these as parameters, or list them with a reason"


def test_every_listed_exception_is_still_needed() -> None:
    found = {(f.path, f.interpolated) for f in _project_findings()}
    assert set(ALLOWED) - found == set()


def _scan(source: str) -> list[tuple[str, ...]]:
    return [found.interpolated for found in formatted_sql(Path("example.py"), source)]


def test_the_scan_sees_each_way_of_formatting() -> None:
    assert _scan('q = f"SELECT * FROM t WHERE id = {user_id}"') == [("user_id",)]
    assert _scan('q = "DELETE FROM t WHERE id = %s" % user_id') == [("user_id",)]
    assert _scan('q = "UPDATE t SET a = {}".format(value)') == [("value",)]
    assert _scan('q = "LOCK TABLE " + name') == [("name",)]
    assert _scan('q = f"CREATE DATABASE {name}"') == [("name",)]
    assert _scan('sa.text(f"reservation.{predicate}")') == [("predicate",)]
    assert _scan("q = \"SELECT * FROM t WHERE id = '{}'\"\nrun(q.format(user_id))") == [
        ("user_id",)
    ]


def test_the_scan_leaves_bound_parameters_and_prose_alone() -> None:
    assert _scan('q = "SELECT * FROM t WHERE id = :id"') == []
    assert _scan('cursor.execute("SELECT * FROM t WHERE id = %s", (user_id,))') == []
    assert _scan('message = f"booked from {start} for {nights} nights"') == []


def test_ruff_checks_sql_built_from_strings_too() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert "S608" not in lint.get("ignore", [])
