"""Run the real ``retell-contract`` command line in this process and save what the benchmark needs.

    python -m benchmarks._ours_cli RESULT.json run --url URL --api-key KEY --agent-id ID

The command runs exactly as from the shell (same option parsing, defaults, report and exit
code); the engine's :class:`~retell_contract.runner.RunResult` is kept on its way to the
report, because the time to the first failure is not printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from retell_contract.cli import main as cli_main
from retell_contract.runner import RunResult, _engine

# The command's body imports the engine's ``run`` when it runs (the CLI loads it lazily), so
# wrapping it in its own module is what the command calls.
ENGINE = "run"


def main(argv: list[str]) -> int:
    result_path, args = Path(argv[0]), argv[1:]
    results: list[RunResult] = []
    engine = getattr(_engine, ENGINE)

    def keeping_result(options: Any) -> RunResult:
        result: RunResult = engine(options)
        results.append(result)
        return result

    setattr(_engine, ENGINE, keeping_result)
    try:
        cli_main.main(args, prog_name="retell-contract", standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    else:
        code = 0
    summary: dict[str, Any] = {"exit_code": code}
    if results:
        result = results[0]
        summary.update(
            first_failure_after=result.first_failure_after,
            seed=result.seed,
            cases=result.cases_sent,
            requests=result.requests,
            elapsed=result.elapsed,
            failed_checks=sorted(result.report.failed_checks),
            # Bytes of each failure's reported (shrunk) example body, smallest per check.
            bodies={
                check: min(len(f.request.body) for f in result.report.failures if f.check == check)
                for check in result.report.failed_checks
            },
            notices=list(result.notices),
        )
    result_path.write_text(json.dumps(summary))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
