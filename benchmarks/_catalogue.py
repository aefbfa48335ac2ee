"""The mutants, by family: one realistic fault each, then the correct variants.

A table, so formatting is off: one mutant per entry, name and description first.
"""

from __future__ import annotations

from dataclasses import replace

from benchmarks import _request_faults as req
from benchmarks import _response_faults as resp
from benchmarks import _today_faults as today
from benchmarks._mutant import (
    AGENTS,
    API_KEY,
    CONTRACT,
    Mutant,
    answers,
    answers_fresh,
    correct,
    crashes,
    reads,
    rewrites_fresh,
)
from retell_contract.contracts import Agent

OK = CONTRACT.success_status
META, VARIABLES = "metadata", "retell_llm_dynamic_variables"
REGISTERED = "registered"  # the one status a new call may have (as the checks say)
BEARER = f"Bearer {API_KEY}"

# fmt: off


def status() -> list[Mutant]:
    return [
        answers("created_200", f"answers 200 instead of {OK} for a new call", resp.status_map(OK, 200)),
        answers("unknown_asset_404", "404 instead of 422 for an unknown agent or version",
                resp.status_map(422, 404)),
        answers("unknown_asset_403", "403 instead of 422 for an unknown agent or version",
                resp.status_map(422, 403)),
        answers("invalid_body_500", "a schema-invalid JSON body gets 500 instead of 400",
                resp.status_map(400, 500, when=resp.sent_json_object)),
        reads("invalid_fields_ignored_201", "optional fields of the wrong type are ignored (201)",
              req.drop_invalid_fields),
        reads("unknown_agent_201", "an unknown agent id falls back to the first agent (201)",
              req.unknown_agent_to_first),
        reads("unknown_version_201", "an unknown agent version falls back to the latest (201)",
              req.unknown_version_to_latest),
        answers("bad_input_422", "a body that is not a JSON object gets 422 instead of 400",
                resp.status_map(400, 422, when=resp.sent_non_object)),
        reads("any_method_creates", "PUT/PATCH/GET/DELETE are handled like POST", req.any_method_is_post),
    ]


def headers() -> list[Mutant]:
    return [
        answers("call_text_plain", "the call object is labelled text/plain",
                resp.content_type("text/plain; charset=utf-8", when=resp.status_is(OK))),
        answers("call_no_content_type", "the call object has no Content-Type",
                resp.content_type(None, when=resp.status_is(OK))),
        answers("errors_text_plain", "JSON error objects are labelled text/plain",
                resp.content_type("text/plain", when=resp.is_error)),
        answers("everything_text_html", "every JSON response is labelled text/html",
                resp.content_type("text/html; charset=utf-8")),
    ]


def call_object() -> list[Mutant]:
    fields = [
        mutant
        for name in CONTRACT.required_call_fields
        for mutant in (
            answers(f"missing_{name}", f"the call object has no {name}",
                    resp.on_call(resp.drop_field(name))),
            answers(f"wrong_type_{name}", f"{name} has the wrong JSON type",
                    resp.on_call(resp.wrong_type(name))),
        )
    ]
    other = next(value for value in CONTRACT.enum("call_status") if value != REGISTERED)
    return [
        *fields,
        answers("call_type_phone_call", "call_type is phone_call",
                resp.on_call(resp.set_field("call_type", "phone_call"))),
        answers(f"call_status_{other}", f"a new call has call_status {other}",
                resp.on_call(resp.set_field("call_status", other))),
        answers("post_call_fields_on_new_call", "a new call has post-call fields (ORM column defaults)",
                resp.on_call(resp.add_post_call_defaults)),
        answers("call_id_empty", "call_id is an empty string", resp.on_call(resp.set_field("call_id", ""))),
        answers("access_token_empty", "access_token is an empty string",
                resp.on_call(resp.set_field("access_token", ""))),
        answers("call_id_constant", "every call gets the same call_id",
                resp.on_call(resp.set_field("call_id", "call_0000000000000000"))),
        answers("access_token_constant", "every call gets the same access_token",
                resp.on_call(resp.set_field("access_token", "eyJhbGciOiJIUzI1NiJ9.static"))),
        answers_fresh("call_id_reused_sometimes", "every 25th call repeats the previous call_id",
                      lambda: resp.on_call(resp.reuse_every("call_id", 25)())),
    ]


def echo() -> list[Mutant]:
    return [
        answers("agent_id_lowercased", "agent_id comes back lower-cased",
                resp.on_call(resp.transform_field("agent_id", str.lower))),
        answers("agent_id_always_first", "agent_id is always the first agent's",
                resp.on_call(resp.set_field("agent_id", AGENTS[0].agent_id))),
        answers("agent_version_stringified", "agent_version comes back as a string",
                resp.on_call(resp.transform_field("agent_version", str))),
        reads("agent_version_ignored", "the requested agent_version is ignored (the latest is used)",
              req.drop_request_field("agent_version")),
        reads("default_version_oldest", "without agent_version the oldest version is used",
              req.default_version_to_oldest),
        answers("metadata_dropped", "metadata is not returned", resp.on_call(resp.drop_field(META))),
        answers("metadata_empty_dropped", "metadata {} is not returned (a truthiness check)",
                resp.on_call(resp.drop_if_empty(META))),
        answers("metadata_nulls_dropped", "null values inside metadata are dropped",
                resp.on_call(resp.transform_field(META, resp.without_nulls))),
        answers("metadata_numbers_stringified", "numbers inside metadata come back as strings",
                resp.on_call(resp.transform_field(META, resp.stringify_numbers))),
        answers("metadata_unicode_mangled", "non-ASCII metadata is mangled (UTF-8 read as Latin-1)",
                resp.on_call(resp.transform_field(META, resp.mojibake))),
        answers("metadata_flattened", "nested metadata is flattened to dotted keys",
                resp.on_call(resp.transform_field(META, resp.flatten))),
        answers("metadata_big_ints_rounded", "integers beyond 2**53 in metadata lose precision (doubles)",
                resp.on_call(resp.transform_field(META, resp.round_big_ints))),
        answers("dynamic_variables_dropped", "retell_llm_dynamic_variables is not returned",
                resp.on_call(resp.drop_field(VARIABLES))),
        answers("dynamic_variables_stringified", "non-string dynamic variables come back as strings",
                resp.on_call(resp.transform_field(VARIABLES, resp.stringify_values))),
        answers("dynamic_variables_trimmed", "dynamic variable strings come back whitespace-trimmed",
                resp.on_call(resp.transform_field(VARIABLES, resp.trim_strings))),
        answers("dynamic_variables_unicode_mangled", "non-ASCII dynamic variables are mangled",
                resp.on_call(resp.transform_field(VARIABLES, resp.mojibake))),
    ]


def auth() -> list[Mutant]:
    return [
        reads("auth_missing_accepted", "a request without Authorization is served",
              req.auth_when(lambda value: value is None)),
        reads("auth_any_bearer_accepted", "any Bearer token is accepted",
              req.auth_when(lambda value: bool(value and value.startswith("Bearer ") and value[7:]))),
        reads("auth_scheme_ignored", "the key is accepted with any scheme or none",
              req.auth_when(lambda value: bool(value and value.endswith(API_KEY)))),
        reads("auth_key_prefix_match", "a token that starts with the key is accepted",
              req.auth_when(lambda value: bool(value and value.startswith(BEARER)))),
        reads("auth_key_case_insensitive", "the key is compared case-insensitively",
              req.auth_when(lambda value: bool(value and value.lower() == BEARER.lower()))),
        reads("auth_scheme_case_sensitive", "'bearer' in lower case is refused with 401",
              req.scheme_case_sensitive),
        answers("auth_401_plain_text", "401 is text/plain 'Unauthorized', not the JSON error",
                resp.plain_text_error(401, "Unauthorized")),
    ]


def input_handling() -> list[Mutant]:
    return [
        crashes("malformed_json_500", "a body that is not JSON crashes the handler (500)", req.body_not_json),
        reads("empty_body_201", "an empty body creates a call for the first agent",
              req.empty_body_to_first_agent),
        reads("non_object_body_accepted", "a JSON array body is unwrapped to its first object",
              req.unwrap_array_body),
        reads("content_type_ignored", "the body is parsed as JSON whatever its Content-Type",
              req.force_json_content_type),
    ]


def crash() -> list[Mutant]:
    return [
        crashes("crash_unicode_metadata", "500 when metadata holds non-ASCII text", req.non_ascii_in(META)),
        crashes("crash_long_string", "500 when any string in the body is over 1000 characters",
                req.string_longer_than(1000)),
        crashes("crash_deep_nesting", "500 when the body nests deeper than 8 levels",
                req.nested_deeper_than(8)),
        crashes("crash_large_integer", "500 on an integer outside the signed 64-bit range",
                req.integer_outside(2**63)),
        crashes("crash_non_string_dynamic_variable", "500 when a dynamic variable is not a string",
                req.non_string_dynamic_variable),
    ]


def error_body() -> list[Mutant]:
    return [
        answers("error_missing_status", "error objects have no 'status'",
                resp.on_error(resp.drop_field("status"))),
        answers("error_missing_message", "error objects have no 'message'",
                resp.on_error(resp.drop_field("message"))),
        answers("error_status_wrong_value", "error objects say status 'fail'",
                resp.on_error(resp.set_field("status", "fail"))),
        answers("error_html_page", "4xx errors are an HTML page (Express's default)", resp.html_errors),
        answers("error_body_python_repr", "error bodies are a Python repr labelled JSON",
                resp.python_repr_errors),
    ]


def subtle() -> list[Mutant]:
    """Faults that only show for one particular kind of input."""
    return [
        reads("agent_version_zero_ignored", "agent_version 0 is treated as absent (a falsy check)",
              req.falsy_version_ignored),
        reads("agent_version_string_coerced", 'agent_version "2" is coerced to 2 (201, not 400)',
              req.numeric_string_version_coerced),
        reads("null_fields_ignored", "optional fields sent as null are ignored (201, not 400)",
              req.null_fields_ignored),
        reads("agent_id_trimmed", "agent ids are looked up with surrounding whitespace trimmed",
              req.agent_id_trimmed),
        answers("unknown_request_fields_rejected", "request fields the contract does not list get 400",
                resp.unknown_fields_rejected),
        answers("metadata_unicode_normalized", "metadata text comes back NFC-normalised",
                resp.on_call(resp.transform_field(META, resp.unicode_normalized))),
        crashes("crash_astral_unicode", "500 on characters beyond U+FFFF (MySQL's utf8mb3)",
                req.astral_character),
        crashes("crash_large_body", "500 on bodies over 64 KiB (a proxy limit)",
                req.body_larger_than(64 * 1024)),
        crashes("crash_negative_version", "500 on a negative agent_version (an unsigned column)",
                req.negative_version),
    ]


def v3() -> list[Mutant]:
    return [
        answers("v3_expires_at_seconds", "v3 expires_at is in epoch seconds",
                today.on_v3(today.scale_expiry(1 / 1000))),
        answers("v3_expires_at_microseconds", "v3 expires_at is in epoch microseconds",
                today.on_v3(today.scale_expiry(1000))),
        answers("v3_expires_at_past", "v3 expires_at is ten minutes ago (a sign error on the TTL)",
                today.on_v3(today.scale_expiry(1, shift_ms=-600_000 - 2 * 30_000))),
        answers("v3_expires_at_far_future", "v3 tokens expire in a day (TTL in the wrong unit)",
                today.on_v3(today.scale_expiry(1, shift_ms=86_400_000))),
        answers("v3_expires_at_iso_string", "v3 expires_at is an ISO 8601 string",
                today.on_v3(today.expires_at_iso)),
        answers("v3_ice_servers_empty", "v3 ice_servers is an empty list",
                today.on_v3(resp.set_field("ice_servers", []))),
        answers("v3_ice_urls_http", "v3 ICE URLs are http: URLs",
                today.on_v3(today.ice_urls(lambda url: "http://" + url.split(":", 1)[1]))),
        answers("v3_turn_without_credential", "v3 TURN servers come without a credential",
                today.on_v3(today.drop_turn_credentials)),
        answers("v3_transport_wrong", "v3 transport is 'websocket', which the contract does not list",
                today.on_v3(resp.set_field("transport", "websocket"))),
        reads("v3_returns_call_object", "v3 is routed to v2's handler (the whole call object)",
              today.v3_route(today.V2_PATH)),
        reads("v3_route_missing", "POST /v3/create-web-call is not routed (404)",
              today.v3_route(today.V3_PATH + "-missing")),
        rewrites_fresh("v3_call_not_retrievable", "get-call answers 404 for calls v3 created",
                       today.v3_calls_not_retrievable),
        reads("v3_agent_version_ignored", "v3 ignores agent_version (the latest is used)",
              today.on_v3_body(today.pops("agent_version"))),
        reads("v3_metadata_not_stored", "v3 does not store metadata (get-call has none)",
              today.on_v3_body(today.pops(META))),
        rewrites_fresh("ids_shared_v2_v3", "v3 hands out the call_id of the latest v2 call",
                       today.ids_shared_between_versions),
    ]


def get_call() -> list[Mutant]:
    return [
        rewrites_fresh("get_call_other_call", "get-call answers the call read before (a stale cache)",
                       today.previous_call_served),
        answers("get_call_metadata_dropped", "get-call's call object has no metadata",
                today.on_get_call(resp.drop_field(META))),
        answers("get_call_dynamic_variables_stringified", "get-call's dynamic variables are all strings",
                today.on_get_call(resp.transform_field(VARIABLES, resp.stringify_values))),
        answers("get_call_status_ongoing", "get-call says ongoing right after the call was created",
                today.on_get_call(resp.set_field("call_status", "ongoing"))),
        reads("get_call_auth_ignored", "get-call does not check the key (a bad key gets the call)",
              today.get_call_auth_ignored),
        rewrites_fresh("get_call_unknown_id_200", "get-call of an unknown id answers the latest call",
                       today.unknown_id_serves_latest),
        answers("get_call_unknown_id_500", "get-call of an unknown id answers 500 instead of 404",
                today.get_call_status(404, 500)),
    ]


def versions() -> list[Mutant]:
    return [
        reads("latest_published_is_latest", "agent_version latest_published selects the latest version",
              today.latest_published_is_latest),
        reads("unknown_version_name_201", "an unknown version name falls back to the latest (201)",
              today.unknown_name_is_latest),
        answers("version_name_echoed", "the call object echoes the version name, not its number",
                today.version_name_echoed),
        crashes("huge_version_500", "500 on an agent_version of 2**64 or more (an unsigned column)",
                today.version_at_least(2**64)),
    ]


def correct_variants() -> list[Mutant]:
    unknown_versions = tuple(Agent(agent.agent_id, ()) for agent in AGENTS)
    # The first agent lacks version 1, which a run that does not know its versions asks for.
    fewer = (Agent(AGENTS[0].agent_id, (3,)), *AGENTS[1:])
    tagged = tuple(replace(agent, tags={**agent.tags, "staging": agent.versions[0]}) for agent in AGENTS)
    return [
        correct("plain_mock", "the mock as it is"),
        correct("extra_call_fields", "call objects have fields the contract does not know (drift)",
                config={"extra_call_fields": {"telephony_identifier": {"sip": None}, "added_in_2027": 1}}),
        correct("rate_limited", "5% of requests get 429 with Retry-After: 1",
                config={"rate_limit_rate": 0.05, "retry_after": 1, "seed": 3}),
        correct("rate_limited_without_retry_after", "5% of requests get 429 without Retry-After",
                config={"rate_limit_rate": 0.05, "seed": 5}, change=resp.without_retry_after),
        correct("versions_unknown_to_run", "agents have versions the run is not told about",
                run_agents=unknown_versions),
        correct("fewer_versions_than_assumed", "an agent lacks the version a run assumes (422 for it)",
                server_agents=fewer, run_agents=unknown_versions),
        correct("json_reformatted", "sorted keys, indentation and \\u escapes: the same JSON",
                change=resp.reformat_json),
        correct("charset_and_extra_headers", "Content-Type with a charset, extra response headers",
                change=resp.charset_and_headers),
        correct("error_messages_reworded", "error messages in other words, plus an error code field",
                change=resp.on_error(resp.reword_error)),
        correct("ice_one_url_per_server", "v3 lists each ICE URL as its own server (a string, not a list)",
                change=today.on_v3(today.one_url_per_server)),
        correct("token_ttl_short", "v3 tokens live 5 s", config={"token_ttl_seconds": 5}),
        correct("token_ttl_long", "v3 tokens live 30 min", config={"token_ttl_seconds": 1800}),
        correct("extra_version_tags", "agents have version tags the run is not told about",
                server_agents=tagged),
        correct("preloaded_calls", "the server holds calls the run did not create (--calls)",
                config={"calls": ({"call_id": "call_preloaded_0001", "agent_id": AGENTS[0].agent_id},
                                  {"call_id": "call_preloaded_0002", "agent_id": AGENTS[1].agent_id,
                                   "call_status": "ended"})}),
    ]


# fmt: on

FAMILIES = {
    "status": status,
    "headers": headers,
    "call object": call_object,
    "echo": echo,
    "auth": auth,
    "input": input_handling,
    "crash": crash,
    "error body": error_body,
    "subtle": subtle,
    "v3": v3,
    "get-call": get_call,
    "versions": versions,
}


def build_catalogue() -> tuple[Mutant, ...]:
    """Every faulty mutant, family by family, then the correct variants."""
    faulty = [replace(mutant, family=family) for family, make in FAMILIES.items() for mutant in make()]
    return (*faulty, *correct_variants())
