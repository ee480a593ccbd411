"""Conditional-request headers as calfeed's fast path reads them, next to Werkzeug's own parsers.

`calfeed.http` answers cached GET/HEAD requests before Flask, so it reads Accept-Encoding, If-None-Match
and If-Modified-Since itself (the hot path: a dictionary lookup and a few string comparisons). Here
Hypothesis writes such headers, from well-formed to garbled, and Werkzeug's parsers (`parse_accept_header`,
`parse_etags`, `is_resource_modified`) are the oracle. Every place the two may differ is one of the
intended differences below, each asserted on its own; docs/architecture.md lists them.

Accept-Encoding (RFC 9110 §12.5.3):
  1. calfeed picks brotli whenever the client accepts it, then gzip, then identity: it prefers the
     smallest body rather than ranking by the client's weights (Werkzeug's `best_match` ranks by weight).
  2. A coding listed twice counts with its best weight (RFC 9110 leaves it open; Werkzeug keeps both items).
  3. "x-gzip" is gzip; identity is never refused (no 406: every client gets the body).
If-None-Match (RFC 9110 §13.1.2):
  4. A list that is not a list of quoted entity tags is ignored as a whole (If-Modified-Since decides);
     Werkzeug keeps the tags it can read and drops the rest, unquoted ones included. The empty tag `""`
     is a tag (RFC 9110's grammar allows it); Werkzeug reads it as no tag.
If-Modified-Since (RFC 9110 §13.1.3):
  5. A date later than the server's clock is invalid and ignored (Werkzeug compares it anyway).
"""

from __future__ import annotations

import time

from hypothesis import example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Accept
from werkzeug.http import http_date, parse_accept_header, parse_etags
from werkzeug.sansio.http import is_resource_modified

from calfeed.http import accepted_encoding, entity_tags, make_output, not_modified

CODINGS = ("br", "gzip", "x-gzip", "identity", "*", "deflate", "compress", "zstd", "BR", "GZip")
OUTPUT = make_output(b"x" * 4096, {"Content-Type": "text/plain"}, 1_600_000_000, float("inf"), "v1")
OUTPUT_TAGS = sorted(OUTPUT.tags)


def weights(accept: Accept) -> dict[str, float]:
    """Werkzeug's parse of an Accept-Encoding value as coding → weight (a coding listed twice: its best)."""
    found: dict[str, float] = {}
    for value, quality in accept:
        name = value.partition(";")[0].strip().lower()  # Werkzeug keeps other parameters in the value
        found[name] = max(quality, found.get(name, 0.0))
    return found


def choice_from_werkzeug(header: str | None) -> str:
    """The coding calfeed means to pick, decided on Werkzeug's parse: differences 1, 2 and 3; "*" covers
    only the codings not listed, as in RFC 9110 (and in Werkzeug's `Accept.quality`)."""
    listed = weights(parse_accept_header(header))
    star = listed.get("*", 0.0)
    for coding, names in (("br", ("br",)), ("gzip", ("gzip", "x-gzip"))):
        if next((listed[name] for name in names if name in listed), star) > 0:
            return coding
    return "identity"


weight = st.one_of(
    st.sampled_from(["0", "1", "0.5", "0.001", "1.000", "0.000", "1.0", " 0.5 ", "0.12345"]),
    st.decimals(min_value=0, max_value=1, places=3).map(str),
    st.sampled_from(["2", "-1", "abc", "", ".5", "1e0", "0,5", "0.5x"]),  # not weights: the item is skipped
)
coding = st.builds(
    lambda name, q, space: name + (f"{space};{space}q={q}" if q is not None else ""),
    st.sampled_from(CODINGS) | st.sampled_from(CODINGS).map(lambda name: f"{name};level=1"),
    st.none() | weight,
    st.sampled_from(["", " ", "\t"]),
)
accept_encoding = st.lists(coding, max_size=5).map(", ".join) | st.sampled_from(["", ",", " , gzip ,,"])


@settings(max_examples=300)
@given(accept_encoding)
@example("gzip;q=0, *")  # "*" does not override an explicit refusal
@example("br, br;q=0")  # difference 2
@example("gzip;q=1, br;q=0.5")  # difference 1: brotli wins while accepted
@example("x-gzip")
@example("identity;q=0")  # difference 3
def test_accept_encoding_matches_werkzeugs_parse(header):
    assert accepted_encoding(header) == choice_from_werkzeug(header)


def test_intended_differences_from_werkzeugs_own_choice():
    assert parse_accept_header("gzip;q=1, br;q=0.5").best_match(["br", "gzip"]) == "gzip"
    assert accepted_encoding("gzip;q=1, br;q=0.5") == "br"  # 1
    assert list(parse_accept_header("br;q=0, br")) == [("br", 1), ("br", 0)]
    assert accepted_encoding("br;q=0, br") == "br" == accepted_encoding("br, br;q=0")  # 2
    assert accepted_encoding("identity;q=0") == "identity" and accepted_encoding("x-gzip") == "gzip"  # 3


opaque = st.text(st.sampled_from("abcXYZ019-_./:"), min_size=1, max_size=8).map(lambda t: f'"{t}"')
tag = st.builds(lambda weak, t: ("W/" if weak else "") + t, st.booleans(), st.sampled_from(OUTPUT_TAGS) | opaque)
tag_list = st.lists(tag, min_size=1, max_size=4).map(lambda tags: " ,".join(tags) if len(tags) % 2 else ", ".join(tags))
garbled = st.sampled_from(["abc", '"a" b', '"unterminated', "W/", '"a",,,', ', "a"', '"a" "b"', 'W/ "a"'])


@settings(max_examples=200)
@given(tag_list | st.just("*"))
def test_well_formed_if_none_match_reads_as_werkzeug_reads_it(header):
    ours = entity_tags(header)
    theirs = parse_etags(header)
    assert ours is not None
    if header == "*":
        assert theirs.star_tag and ours == {"*"}
    else:
        assert {tag.strip('"') for tag in ours} == set(theirs._strong) | set(theirs._weak)


@given(garbled | st.builds("{}, {}".format, tag_list, garbled))
def test_a_garbled_if_none_match_is_ignored_whole(header):  # difference 4
    assert entity_tags(header) is None


def test_the_empty_entity_tag_is_a_tag():  # difference 4
    assert entity_tags('"", W/"a"') == {'""', '"a"'}
    assert parse_etags('""').contains_weak("") is False


def _request(if_none_match: str | None, since: str | None) -> dict[str, str]:
    environ = {}
    if if_none_match is not None:
        environ["HTTP_IF_NONE_MATCH"] = if_none_match
    if since is not None:
        environ["HTTP_IF_MODIFIED_SINCE"] = since
    return environ


past = st.integers(min_value=1_500_000_000, max_value=int(time.time()) - 10).map(http_date)
date_header = past | st.just(http_date(OUTPUT.last_modified)) | st.sampled_from(["yesterday", "", "Mon, 32 Foo 2020"])


@settings(max_examples=300)
@given(st.none() | tag_list | st.just("*"), st.none() | date_header)
def test_304_decision_matches_werkzeugs_is_resource_modified(if_none_match, since):
    unmodified_by_werkzeug = any(
        not is_resource_modified(
            http_if_none_match=if_none_match,
            http_if_modified_since=since,
            etag=etag,
            last_modified=http_date(OUTPUT.last_modified),
        )
        for etag in OUTPUT.tags  # every encoding's tag validates a cache (calfeed sends all three)
    )
    assert not_modified(OUTPUT, _request(if_none_match, since)) == unmodified_by_werkzeug


def test_a_date_in_the_future_is_ignored():  # difference 5
    future = http_date(time.time() + 86400)
    assert not is_resource_modified(http_if_modified_since=future, last_modified=http_date(OUTPUT.last_modified))
    assert not not_modified(OUTPUT, _request(None, future))
