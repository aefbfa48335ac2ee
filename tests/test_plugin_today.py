"""The README's plugin examples for today's API, run as a user's project would run them."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

README_TESTS = """
from retell import Retell


def test_create_web_call_and_read_it_back(retell_client, retell_contract, retell_conforms):
    body = {"agent_id": retell_contract.default_agent.agent_id, "agent_version": "latest_published"}
    created = retell_client.post("/v3/create-web-call", json=body)
    retell_conforms(created, case="positive")
    call = retell_client.get(f"/v2/get-call/{created.json()['call_id']}")
    retell_conforms(call)
    assert call.json()["agent_version"] == 1


def test_my_backend_with_the_official_client(retell_mock_server, retell_mock_api_key):
    client = Retell(api_key=retell_mock_api_key, base_url=retell_mock_server.url)
    web_call = client.call.create_web_call(agent_id="oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD")
    assert client.call.retrieve(web_call.call_id).call_status == "registered"
"""

BROKEN_READ_BACK = """
def test_a_read_back_that_lost_the_metadata_fails(retell_client, retell_conforms, retell_mock_app):
    created = retell_client.post("/v3/create-web-call", json={"agent_id": "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD",
                                                              "metadata": {"crm": 7}})
    retell_conforms(created, case="positive")
    call_id = created.json()["call_id"]
    retell_mock_app.state.mock._calls[call_id].call["metadata"] = {}  # the server forgot it
    retell_conforms(retell_client.get(f"/v2/get-call/{call_id}"))
"""


def test_the_readme_plugin_examples_pass_against_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme=README_TESTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_read_back_is_held_to_what_the_create_sent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_broken=BROKEN_READ_BACK)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*request_fields_echoed*metadata*"])
