"""The bench harness's own bookkeeping (not the benchmarks: those are `make bench`)."""

from __future__ import annotations

from evalkit._bench import DOC_END, DOC_START, Figure, side_by_side, write_doc


def test_the_generated_section_replaces_only_what_is_between_the_markers(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(
        f"# Performance\n\nBy hand.\n\n{DOC_START}\nold figures\n{DOC_END}\n\n## Notes\nKept.\n",
        encoding="utf-8",
    )
    write_doc(doc, "## Latest\n\n| figure | 1 s |\n")
    assert doc.read_text(encoding="utf-8") == (
        f"# Performance\n\nBy hand.\n\n{DOC_START}\n## Latest\n\n| figure | 1 s |\n{DOC_END}\n\n"
        "## Notes\nKept.\n"
    )
    write_doc(doc, "## Latest\n\nnew")  # a second run replaces the first run's section
    assert doc.read_text(encoding="utf-8").count(DOC_START) == 1
    assert "| figure | 1 s |" not in doc.read_text(encoding="utf-8")


def test_without_markers_the_section_goes_after_the_first_section(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nIntro.\n\n## Old figures\nKept.\n", encoding="utf-8")
    write_doc(doc, "## Latest")
    assert doc.read_text(encoding="utf-8") == (
        f"# Performance\n\nIntro.\n\n{DOC_START}\n## Latest\n{DOC_END}\n\n## Old figures\nKept.\n"
    )


def test_issue_11s_table_puts_each_figure_beside_its_peers():
    csv = [
        Figure("load + score a CSV folder", 6.0, 3.0, "peak 1.0 GiB", cpu=6.5),
        Figure("DuckDB", 1.0, None, cpu=1.5),
        Figure("polars", 2.0, None, cpu=2.5),
        Figure("ratio", None),
    ]
    xlsx = [Figure("read submissions.xlsx", 0.12, None), Figure("calamine", 0.06, None)]
    check = [Figure("evalkit check data/sample", 0.9, 1.0, cpu=0.8)]
    report = [Figure("evalkit report data/sample", 9.0, 8.0, cpu=12.0)]
    lines = side_by_side(check, xlsx, csv, report).splitlines()
    assert lines[2] == (
        "| load + score a CSV folder; peak 1.0 GiB | 6.00 s (6.50 s CPU) | 1.00 s (1.50 s CPU) |"
        " 2.00 s (2.50 s CPU) | - | 6.0x | FAIL (< 3.00 s) |"
    )
    assert lines[3] == (
        "| read submissions.xlsx | 120.0 ms | - | - | 60.0 ms (python-calamine) | 2.0x | - |"
    )
    # with fastexcel beside calamine, the ratio is to the faster of the two
    xlsx.append(Figure("fastexcel", 0.04, None))
    assert side_by_side(check, xlsx, csv, report).splitlines()[3] == (
        "| read submissions.xlsx | 120.0 ms | - | - | 60.0 ms (python-calamine);"
        " 40.0 ms (fastexcel) | 3.0x | - |"
    )
    assert (
        lines[4]
        == "| evalkit check data/sample | 900.0 ms (800.0 ms CPU) | - | - | - | - | PASS (< 1.00 s) |"
    )
    assert lines[5].endswith("| 9.00 s (12.00 s CPU) | - | - | - | - | FAIL (< 8.00 s) |")
