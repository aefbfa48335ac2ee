"""The contract file and its loader."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from retell_contract.cli import main
from retell_contract.contracts import Agent, load_contract, to_json_schema
from retell_contract.errors import ContractError, UsageError

# Retell's published spec, shipped with the tests (the same file as the team's reference copy).
RETELL_SPEC = Path(__file__).parent / "data" / "retell-openapi-create-web-call-2026-04.yaml"


@pytest.fixture(scope="module")
def contract():
    """The seed-era contract: the docs page as it was (today's is in test_contract_today.py)."""
    return load_contract("seed")


def test_builtin_contract_declares_the_documented_operation(contract):
    assert (contract.method, contract.path) == ("POST", "/v2/create-web-call")
    assert contract.openapi_version.startswith("3.1")
    assert contract.status_codes == (201, 400, 401, 402, 422, 429, 500)
    assert contract.success_status == 201


def test_request_schema(contract):
    schema = contract.request_schema
    assert schema["required"] == ["agent_id"]
    assert schema["properties"]["agent_id"] == {**schema["properties"]["agent_id"], "minLength": 1}
    assert schema["properties"]["agent_version"]["type"] == "integer"
    assert schema.get("additionalProperties", True) is not False, "real API accepts unknown fields"


def test_call_object_has_all_thirty_fields_and_six_required(contract):
    schema = contract.call_object_schema
    assert len(schema["properties"]) == 30
    assert set(contract.required_call_fields) == {
        "call_type",
        "access_token",
        "call_id",
        "agent_id",
        "agent_version",
        "call_status",
    }
    assert schema.get("additionalProperties", True) is not False, "new fields are drift, not violations"


def test_enums(contract):
    assert contract.enum("call_type") == ("web_call",)
    assert contract.enum("call_status") == ("registered", "not_connected", "ongoing", "ended", "error")
    assert contract.enum("data_storage_setting") == (
        "everything",
        "everything_except_pii",
        "basic_attributes_only",
    )
    assert len(contract.enum("disconnection_reason")) == 28
    assert "error_user_not_joined" in contract.enum("disconnection_reason")
    assert contract.enum("call_analysis", "user_sentiment") == ("Negative", "Positive", "Neutral", "Unknown")
    roles = [
        v["properties"]["role"]["enum"]
        for v in contract.call_field("transcript_with_tool_calls")["items"]["oneOf"]
    ]
    assert roles == [
        ["agent", "user", "transfer_target"],
        ["tool_call_invocation"],
        ["tool_call_result"],
        ["dtmf"],
    ]


def test_latency_has_six_metrics_of_one_shape(contract):
    metrics = contract.call_field("latency")["properties"]
    assert set(metrics) == {"e2e", "llm", "llm_websocket_network_rtt", "tts", "knowledge_base", "s2s"}
    assert len({json.dumps(m, sort_keys=True) for m in metrics.values()}) == 1


def test_error_responses_share_the_error_object(contract):
    for code in contract.error_status_codes:
        assert contract.response_schema(code) == contract.error_schema
    assert contract.error_message(422) == "Cannot find requested asset under given api key."
    assert contract.error_message(401) == "API key is missing or invalid."


def test_lifecycle_and_echo_metadata(contract):
    assert contract.echoed_fields == ("agent_id", "agent_version", "metadata", "retell_llm_dynamic_variables")
    assert contract.started_call_fields == ("start_timestamp",)
    post_call = set(contract.post_call_fields)
    assert {
        "end_timestamp",
        "duration_ms",
        "transcript",
        "latency",
        "call_analysis",
        "llm_token_usage",
    } <= post_call
    assert not post_call & set(contract.required_call_fields)


def test_default_agent_is_the_docs_example(contract):
    assert contract.default_agent.agent_id == "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD"
    assert contract.default_agent.versions == (1,)


def test_unknown_field_lookup_names_the_field(contract):
    with pytest.raises(ContractError, match=r"no field 'latency.asr'"):
        contract.call_field("latency", "asr")


def test_loads_retells_own_openapi_30_spec():
    retell = load_contract(RETELL_SPEC)
    assert retell.openapi_version == "3.0.3"
    assert set(retell.required_call_fields) == set(load_contract().required_call_fields)
    # 3.0 `nullable: true` became a JSON Schema null type, and allOf was merged.
    assert retell.call_field("transfer_destination")["type"] == ["string", "null"]
    assert "agent_name" in retell.call_object_schema["properties"]
    assert "asr" in retell.call_field("latency")["properties"]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _builtin_document() -> dict:
    """A private, editable copy of the built-in contract's document."""
    return copy.deepcopy(dict(load_contract().document))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.yaml", "openapi: [unclosed", r"c\.yaml: not valid YAML"),
        ("c.json", "{", r"c\.json: not valid JSON"),
        ("c.yaml", "- a\n- b\n", r"not an OpenAPI document \(top level is list\)"),
        ("c.yaml", "swagger: '2.0'\n", r"not an OpenAPI 3\.0/3\.1 document"),
        ("c.yaml", "openapi: 3.1.0\ninfo: {title: t}\npaths: {}\n", r"invalid OpenAPI"),
        (
            "c.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
            r"no POST /v2/create-web-call",
        ),
    ],
)
def test_broken_contract_files_get_one_line_errors(tmp_path, name, text, message):
    path = _write(tmp_path, name, text)
    with pytest.raises(ContractError, match=message) as caught:
        load_contract(path)
    assert "\n" not in str(caught.value)
    assert str(path) in str(caught.value)


def test_missing_contract_file(tmp_path):
    with pytest.raises(ContractError, match="contract file not found"):
        load_contract(tmp_path / "absent.yaml")


def test_dangling_ref_is_named(tmp_path):
    document = _builtin_document()
    document["components"]["schemas"]["WebCallResponse"]["properties"]["latency"] = {
        "$ref": "#/components/schemas/Nope"
    }
    path = _write(tmp_path, "c.yaml", yaml.safe_dump(document))
    with pytest.raises(ContractError, match=r"Nope"):
        load_contract(path)


@pytest.mark.parametrize(
    ("where", "ref"),
    [
        ("schema", "#/components/schemas/Nope"),
        ("requestBody", "#/components/requestBodies/Nope"),  # one the OpenAPI validator does not follow
    ],
)
def test_every_dangling_ref_names_the_file_in_load_and_diff(tmp_path, where, ref):
    document = _builtin_document()
    if where == "schema":
        document["components"]["schemas"]["WebCallResponse"]["properties"]["latency"] = {"$ref": ref}
    else:
        next(iter(document["paths"].values()))["post"]["requestBody"] = {"$ref": ref}
    path = _write(tmp_path, "dangling.yaml", yaml.safe_dump(document))
    with pytest.raises(ContractError, match=rf"^{re.escape(str(path))}: .*Nope"):
        load_contract(path)
    result = CliRunner().invoke(main, ["diff", str(path), str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"retell-contract: error: {path}: ")


def test_invalid_json_schema_inside_a_valid_document_is_named(tmp_path):
    document = _builtin_document()
    document["components"]["schemas"]["CreateWebCallRequest"]["properties"]["agent_id"]["minLength"] = -1
    path = _write(tmp_path, "c.yaml", yaml.safe_dump(document))
    with pytest.raises(ContractError, match=r"c\.yaml: "):
        load_contract(path)


def test_user_contract_is_loaded_through_the_same_loader(tmp_path):
    document = _builtin_document()
    document["components"]["schemas"]["CallStatus"]["enum"].append("queued")
    path = _write(tmp_path, "mine.json", json.dumps(document))
    assert "queued" in load_contract(path).enum("call_status")


class TestNormalisation:
    def test_openapi_30_nullable_and_exclusive_bounds(self):
        schema = {"type": "integer", "nullable": True, "minimum": 0, "exclusiveMinimum": True, "example": 3}
        assert to_json_schema(schema, {}, openapi_30=True) == {
            "type": ["integer", "null"],
            "exclusiveMinimum": 0,
            "examples": [3],
        }

    def test_nullable_enum_admits_null(self):
        schema = {"type": "string", "enum": ["a"], "nullable": True}
        assert to_json_schema(schema, {}, openapi_30=True)["enum"] == ["a", None]

    def test_ref_is_inlined_and_all_of_merged(self):
        document = {
            "components": {"schemas": {"B": {"type": "object", "required": ["b"], "properties": {"b": {}}}}}
        }
        schema = {"allOf": [{"type": "object", "properties": {"a": {}}}, {"$ref": "#/components/schemas/B"}]}
        assert to_json_schema(schema, document, openapi_30=False) == {
            "type": "object",
            "properties": {"a": {}, "b": {}},
            "required": ["b"],
        }

    @pytest.mark.parametrize(
        "schema",
        [
            # A part's additionalProperties covers names outside that part's properties only.
            {"allOf": [{"properties": {"a": {}}, "additionalProperties": {"type": "string"}}]},
            {
                "allOf": [
                    {"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}},
                    {"type": "object", "properties": {"b": {"type": "integer"}}},
                ]
            },
            {
                "additionalProperties": {"type": "string"},
                "allOf": [{"type": "object", "properties": {"b": {"type": "integer"}}}],
            },
        ],
    )
    def test_all_of_merge_never_changes_what_is_valid(self, schema):
        instances = [{}, {"a": 1}, {"b": 1}, {"b": "x"}, {"c": 1}, {"c": "x"}, {"a": 1, "b": 2}, [], "s"]
        merged = to_json_schema(schema, {}, openapi_30=False)
        for instance in instances:
            original = Draft202012Validator(schema).is_valid(instance)
            assert Draft202012Validator(merged).is_valid(instance) == original, (instance, merged)

    def test_typeless_all_of_parts_merge_without_becoming_objects_only(self):
        merged = to_json_schema(
            {"allOf": [{"properties": {"a": {}}}, {"required": ["a"]}]}, {}, openapi_30=False
        )
        assert merged == {"properties": {"a": {}}, "required": ["a"]}

    def test_recursive_ref_does_not_loop(self):
        document = {
            "components": {
                "schemas": {
                    "N": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/N"}}}
                }
            }
        }
        out = to_json_schema({"$ref": "#/components/schemas/N"}, document, openapi_30=False)
        assert "recursive" in out["properties"]["next"]["description"]

    def test_external_ref_is_refused(self):
        with pytest.raises(ContractError, match="only local references"):
            to_json_schema({"$ref": "other.yaml#/X"}, {}, openapi_30=False)


def test_unquoted_status_codes_in_yaml_are_read_as_strings(tmp_path):
    text = yaml.safe_dump(_builtin_document()).replace("'201':", "201:").replace("'400':", "400:")
    assert "\n        201:" in text
    assert load_contract(_write(tmp_path, "c.yaml", text)).status_codes == (201, 400, 401, 402, 422, 429, 500)


@pytest.mark.parametrize(
    ("spec", "agent"),
    [("a1", Agent("a1", ())), ("a1:0", Agent("a1", (0,))), ("a1:3,1,2,1", Agent("a1", (1, 2, 3)))],
)
def test_agent_from_spec(spec, agent):
    assert Agent.from_spec(spec) == agent


@pytest.mark.parametrize(
    ("spec", "fragment"), [(":1", "has no id"), ("a:x", "comma-separated"), ("a:1,-1", "negative")]
)
def test_agent_from_spec_names_the_bad_spec(spec, fragment):
    with pytest.raises(UsageError, match=fragment) as caught:
        Agent.from_spec(spec)
    assert repr(spec) in str(caught.value)


def test_example_versions_and_server_url(contract, tmp_path):
    assert contract.example_versions == (1,)
    assert contract.server_url == "https://api.retellai.com"
    document = _builtin_document()
    document["components"]["schemas"]["CreateWebCallRequest"]["properties"]["agent_version"]["examples"] = [
        3,
        True,
        "2",
        1,
        3,
    ]
    document["servers"] = [{"url": "https://staging.example/"}]
    mine = load_contract(_write(tmp_path, "c.yaml", yaml.safe_dump(document)))
    assert mine.example_versions == (1, 3)  # integers only (not True, not "2"), ascending, once each
    assert mine.server_url == "https://staging.example"
    del document["servers"]
    assert load_contract(_write(tmp_path, "d.yaml", yaml.safe_dump(document))).server_url is None
