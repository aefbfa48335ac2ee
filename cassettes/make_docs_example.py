"""Rebuild ``docs/create-web-call-docs-example.yaml`` from Retell's docs-page example.

The page's example is placeholder data (latency values outside [min, max], post-call
fields on a call that was just registered, dynamic variables the request never sent), so
replaying this cassette is expected to fail those checks: see the README, "Cassettes".

    .venv/bin/python cassettes/make_docs_example.py [SOURCE] [--output PATH]

SOURCE is the example as JSON (default: ``tests/data/docs_example_call.json``, shipped in
this repository) or a saved copy of the docs page (``.md``) to take it from.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from retell_contract.cassettes import write_cassette
from retell_contract.contracts import load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

HERE = Path(__file__).parent
TARGET = HERE / "docs" / "create-web-call-docs-example.yaml"
EXAMPLE = HERE.parent / "tests" / "data" / "docs_example_call.json"
# The page escapes "[" line ends as "[\" in its markdown; the first ``` block holding a
# JSON object with "call_type" is the 201 example.
_JSON_BLOCK = re.compile(r"```\n(\{.*?\})\n```", re.DOTALL)


def example_response(page: str) -> dict[str, object]:
    for block in _JSON_BLOCK.findall(page):
        document = json.loads(block.replace("\\\n", "\n"))
        if isinstance(document, dict) and "call_type" in document:
            return document
    raise SystemExit("no 201 example response found on the page")


def read_example(source: Path) -> dict[str, object]:
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise SystemExit(f"make_docs_example: cannot read {source} ({error.strerror})") from None
    if source.suffix == ".md":
        return example_response(text)
    document = json.loads(text)
    if not isinstance(document, dict):
        raise SystemExit(f"make_docs_example: {source} does not hold a JSON object")
    return document


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=EXAMPLE)
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    contract = load_contract()
    response = read_example(args.source)
    agent = contract.default_agent
    request_body = {"agent_id": agent.agent_id}
    server = contract.server_url
    exchange = Exchange(
        RecordedRequest(
            contract.method,
            f"{server}{contract.path}",
            {"authorization": "Bearer YOUR_RETELL_API_KEY", "content-type": "application/json"},
            json.dumps(request_body).encode(),
        ),
        RecordedResponse(201, {"content-type": "application/json"}, json.dumps(response, indent=2).encode()),
        {
            "case": "positive",
            "agent_versions": ",".join(str(v) for v in agent.versions),
            "source": "Retell docs, create-web-call example (placeholder data)",
        },
    )
    print(write_cassette(args.output, [exchange], mode="overwrite"))


if __name__ == "__main__":
    main()
