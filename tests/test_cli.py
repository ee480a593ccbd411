"""`calfeed check` as an editor and a CI job use it."""

from __future__ import annotations

from calfeed.cli import main

from conftest import BUNDLED, CONTENT


def test_check_bundled_example_summarises_it(runner):
    result = runner.invoke(main, ["check", str(BUNDLED)])
    assert result.exit_code == 0, result.output
    assert "ok: 4 events, 6 news posts, languages en, es, fr, 2021-09-06 to 2022-12-02" in result.stdout
    # The two posts the source gives no date are reported, with the date the rule chose.
    assert "warning: has no date: dated 2022-11-19" in result.stderr


def test_check_strict_fails_on_warnings(runner):
    result = runner.invoke(main, ["check", "--strict", str(BUNDLED)])
    assert result.exit_code == 1, result.output
    assert "2 problems found" in result.stderr


def test_check_lists_every_error_and_exits_1(runner, tmp_path):
    broken = tmp_path / "events.yaml"
    broken.write_text(
        "calendar:\n"
        "  title: T\n"
        "  url: https://x.example/\n"
        "events:\n"
        "  - id: a\n"
        "    titel: A\n"
        "    start: 2021-09-09\n"
        "    end: 2021-09-08\n"
    )
    result = runner.invoke(main, ["check", str(broken)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert f"{broken}:5:5: events[0]: title is missing (expected title: in every event)" in lines
    assert any(
        line.startswith(f"{broken}:6:5: events[0].titel: unknown field 'titel' (did you mean 'title'?)")
        for line in lines
    )
    assert any(
        line.startswith(f"{broken}:8:10: events[0].end: 2021-09-08 is before start 2021-09-09") for line in lines
    )
    assert (
        f"{broken}:5:5: events[0]: warning: has no location and is not online (expected location: or online:)" in lines
    )
    assert "3 problems found" in lines[-1]  # the warning does not fail a plain check


def test_check_reads_the_path_from_calfeed_events(runner):
    result = runner.invoke(main, ["check"], env={"CALFEED_EVENTS": str(BUNDLED)})
    assert result.exit_code == 0, result.output


def test_check_missing_path_is_an_error_not_a_traceback(runner, tmp_path):
    result = runner.invoke(main, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_a_folder_merges_its_files(runner):
    result = runner.invoke(main, ["check", str(CONTENT / "merged_folder")])
    assert result.exit_code == 0, result.output


def test_serve_with_a_missing_templates_folder_says_so(runner, tmp_path):
    result = runner.invoke(main, ["serve", str(BUNDLED), "--templates", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: CALFEED_TEMPLATES='{tmp_path / 'nope'}' is not a folder (expected the site's templates folder, "
        "holding the templates it changes; leave it unset to use calfeed's own)\n"
    )


def test_a_bad_setting_is_named_not_a_traceback(runner):
    result = runner.invoke(main, ["check", str(BUNDLED)], env={"CALFEED_MAX_BYTES": "lots"})
    assert result.exit_code == 1
    assert "Error: CALFEED_MAX_BYTES='lots' is not a whole number" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_stamp_records_changes_and_check_reminds_until_it_is_run(runner, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    first = runner.invoke(main, ["stamp", str(events)])
    assert first.exit_code == 0, first.output
    assert first.stdout == f"{tmp_path / 'events.history.json'}: 10 items stamped\n"
    assert runner.invoke(main, ["stamp", str(events)]).stdout.endswith(": up to date\n")

    events.write_text(events.read_text(encoding="utf-8").replace("city: Kütahya", "city: Kutahya"), encoding="utf-8")
    check = runner.invoke(main, ["check", str(events)])
    assert check.exit_code == 0
    assert "warning: 1 item changed since the last `calfeed stamp` (run it and commit" in check.stderr
    assert runner.invoke(main, ["check", "--strict", str(events)]).exit_code == 1  # CI can insist on stamping
    assert runner.invoke(main, ["stamp", str(events)]).stdout.endswith(": 1 item stamped\n")
    assert "changed since" not in runner.invoke(main, ["check", str(events)]).stderr


def test_a_broken_history_file_is_a_problem_not_a_traceback(runner, tmp_path):
    events = tmp_path / "events.yaml"
    events.write_text(BUNDLED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "events.history.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(main, ["check", str(events)])
    assert result.exit_code == 1
    assert "events.history.json: " in result.stderr and "not a calfeed history file" in result.stderr
    assert "Traceback" not in result.output


def test_build_into_a_place_that_cannot_be_written_is_a_message_not_a_traceback(runner, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = runner.invoke(main, ["build", str(blocker / "site"), str(BUNDLED)])
    assert result.exit_code == 1
    assert "expected a folder calfeed can write" in result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert blocker.read_text(encoding="utf-8") == "not a folder"
