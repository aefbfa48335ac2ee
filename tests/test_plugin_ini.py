"""The plugin's ini options: defaults for its flags from the project's pytest configuration."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SHOW = """
def test_show(retell_target, retell_contract, pytestconfig):
    print("TARGET", retell_target, "CONTRACT", retell_contract.operation_names,
          "DIR", pytestconfig.getoption("--retell-cassette-dir"),
          "SCRUB", pytestconfig.getoption("--retell-scrub-field"))
"""


def test_ini_options_set_the_defaults_and_flags_win(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        retell_target = replay
        retell_contract = seed
        retell_cassette_dir = recorded
        retell_scrub_fields =
            metadata.email
        """
    )
    pytester.makepyfile(test_show=SHOW)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    recorded = pytester.path / "recorded"
    expected = f"TARGET replay CONTRACT ('create-v2',) DIR {recorded} SCRUB ['metadata.email']"
    assert expected in result.stdout.str()
    flags = pytester.runpytest_subprocess(
        "-s", "-p", "no:cacheprovider", "--retell-target", "mock", "--retell-scrub-field", "metadata.phone"
    )
    shown = flags.stdout.str()
    assert "TARGET mock " in shown
    assert "SCRUB ['metadata.email', 'metadata.phone']" in shown


def test_a_bad_ini_value_is_a_one_line_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nretell_target = staging\n")
    pytester.makepyfile(test_show=SHOW)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ini option retell_target = 'staging' is not one of mock, replay, live*"])
