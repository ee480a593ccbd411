"""The plainest descriptions are made HTML without Python-Markdown, and come out exactly as it makes them.

The property is differential: for any text, `plain_markdown.convert` gives up (None) or gives the very
HTML that Python-Markdown (with calfeed's demoted headings) gives. The texts are generated from the
pieces of the subset and of what lies just outside it (other blocks, intraword or unbalanced ``*``,
brackets that are no link, entities, tabs, odd spaces, blank lines), so both sides of every edge come up.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calfeed import descriptions, plain_markdown
from calfeed.render import markup

WORDS = ["Cities", "été", "09:00", "x.", "(a)", "a,", "it's", '"hi"', "R&D", "50%", "C#", "a", "b", "word", "1", "x!"]
SIGNS = ["*", "**", "***", "[", "]", "(", ")", "#", "-", "+", ">", "=", "_", "!", "![", "`", "\\", "<"]
SIGNS += ["&amp;", "&#38;", "~~"]
ODD = ["", "  ", "\t", "\xa0", "\u2028", "\r", "\n", "\n\n", "\n\n\n", "\n \n", "- ", "* ", "1. ", "> ", "    "]
URLS = ["https://x.org/", "https://x.org/a?b=1&c=2", "mailto:a@x.org", "http://x.org/a_b", "https://x.org/(a)", "x y"]
STARTS = [""] * 6 + ["- "] * 3 + ["# ", "## ", "###### ", "####### "]
EXAMPLES = int(os.environ.get("CALFEED_MARKDOWN_EXAMPLES", "400"))  # raise it to search harder

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
inline = st.one_of(
    words,
    words,
    words.map(lambda text: f"*{text}*"),
    words.map(lambda text: f"**{text}**"),
    st.tuples(words, st.sampled_from(URLS[:3])).map(lambda pair: f"[{pair[0]}]({pair[1]})"),
)
phrase = st.lists(inline, min_size=1, max_size=5).map(" ".join)
block = st.one_of(
    st.lists(phrase, min_size=1, max_size=3).map("\n".join),  # a paragraph
    st.lists(phrase.map("- {}".format), min_size=1, max_size=4).map("\n".join),  # a list
    st.tuples(st.sampled_from(["# ", "## ", "### ", "###### ", "####### "]), phrase).map("".join),  # a heading
    st.lists(st.tuples(st.sampled_from(STARTS), phrase).map("".join), min_size=1, max_size=4).map("\n".join),
)
clean = st.tuples(st.lists(block, min_size=1, max_size=4).map("\n\n".join), st.sampled_from(["", "\n"])).map("".join)


@st.composite
def near(draw: st.DrawFn) -> str:
    """A text of the subset's pieces, or one with a sign, an odd space or break, or a link's address put in."""
    text = draw(clean)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([*SIGNS, *ODD, *URLS])) + text[at:]
    return text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near())
def test_the_plain_way_gives_python_markdowns_html_or_gives_up(text: str) -> None:
    fast = plain_markdown.convert(text)
    assert fast is None or fast == descriptions._converted(text)


def _benchmark_description(event_id: str) -> str:
    """The description every twentieth event of benchmarks/load.py has."""
    return (
        "## Programme\n\n- 09:00 Welcome by the host city\n- 10:00 Panel: what cities have learnt about housing\n"
        "- 14:00 Working groups and *peer exchanges*\n\n"
        f"Registration is open on [the event page](https://www.example.org/register/{event_id}).\n"
    )


PLAIN = [
    _benchmark_description("e-00042-housing"),
    "A day of talks.",
    "Mayors, practitioners & researchers share what works.\nIn two sessions.\n\nSee **the notes** (below).",
    "# Agenda\n\n## Morning\n\nTalks.\n\n## Afternoon\n\n- Visits\n- A *walk*, then [dinner](https://x.org/d?a=1&b=2).",
]


def test_plain_descriptions_take_the_direct_way_and_read_the_same():
    for text in PLAIN:
        fast = plain_markdown.convert(text)
        assert fast is not None, text  # else every cold calendar converts it the slow way
        assert fast == descriptions._converted(text)
        assert descriptions.convert(text) == fast


def test_a_description_that_is_not_plain_still_renders_through_python_markdown():
    text = "1. First\n2. Second with `code` and a_b\n\n> quoted"
    assert plain_markdown.convert(text) is None
    shown = markup.to_html(text)
    assert "<ol>" in shown and "<code>code</code>" in shown and "<blockquote>" in shown
    assert re.search(r"<p>quoted</p>\s*</blockquote>", shown)
