"""make test's system stage deals its tests into lanes, one per xdist worker (tests/conftest.py): every test
in exactly one lane, the benchmarks' lane apart, the browser's apart when a third worker is there, the two web
nodes (which collect the static files the benchmarks' servers need) first in theirs."""

from tests.conftest import _lanes

COLLECTION = [
    "tests/security/test_fuzz.py::test_every_operation[a]",
    "tests/dashboard/test_browser.py::test_district_staff",
    "tests/bench/test_smoke.py::test_the_benchmark[load.py]",
    "tests/platform/test_backup.py::test_restore",
    "tests/reports/test_printing.py::test_print",
    "tests/dashboard/test_browser.py::test_city",
    "tests/platform/test_two_nodes.py::test_nodes",
]


def _names(lanes: list[list[int]]) -> list[list[str]]:
    return [[COLLECTION[i].split("::")[0].rsplit("/", 1)[1] for i in lane] for lane in lanes]


def test_three_workers_run_the_rest_the_browser_and_the_benchmarks_apart_the_two_nodes_first():
    assert _names(_lanes(COLLECTION, 3)) == [
        ["test_fuzz.py", "test_backup.py"],
        ["test_two_nodes.py", "test_browser.py", "test_printing.py", "test_browser.py"],
        ["test_smoke.py"],
    ]


def test_two_workers_keep_the_browsers_lane_in_the_rests_in_collection_order_the_two_nodes_first():
    assert _names(_lanes(COLLECTION, 2)) == [
        [
            "test_two_nodes.py",
            "test_fuzz.py",
            "test_browser.py",
            "test_backup.py",
            "test_printing.py",
            "test_browser.py",
        ],
        ["test_smoke.py"],
    ]


def test_one_worker_runs_everything_and_no_lane_is_empty():
    assert _lanes(COLLECTION, 1) == [[6, *range(6)]]  # everything in one lane, the two nodes first
    only_bench = [nodeid for nodeid in COLLECTION if nodeid.startswith("tests/bench/")]
    assert _lanes(only_bench, 3) == [[0]]
    for workers in (1, 2, 3, 4):
        dealt = sorted(i for lane in _lanes(COLLECTION, workers) for i in lane)
        assert dealt == list(range(len(COLLECTION))), workers
