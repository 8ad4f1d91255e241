"""make test's system stage deals its tests into lanes, one per xdist worker (tests/conftest.py): every test
in exactly one lane and in collection order (pytest-django's: a transactional test's flush must not come before a
test that needs the migrations' rows), the benchmarks' lane apart, the browser's apart when a third worker is there
with the two smoke runs that need nothing of the other benchmarks."""

from tests.conftest import _lanes

SMOKE = "tests/bench/test_smoke.py::test_the_benchmark_runs_to_its_end_and_prints_its_figures"
COLLECTION = [
    "tests/security/test_fuzz.py::test_every_operation[a]",
    "tests/dashboard/test_browser.py::test_district_staff",
    f"{SMOKE}[load.py]",
    "tests/platform/test_backup.py::test_restore",
    "tests/reports/test_printing.py::test_print",
    "tests/dashboard/test_browser.py::test_city",
    "tests/platform/test_two_nodes.py::test_nodes",
    "tests/platform/test_settings.py::test_a_missing_key",
    f"{SMOKE}[intake.py]",
    f"{SMOKE}[reports.py]",
]


def _names(lanes: list[list[int]]) -> list[list[str]]:
    return [[COLLECTION[i].split("/")[-1].replace(f"{SMOKE.split('/')[-1]}", "smoke") for i in lane] for lane in lanes]


def test_three_workers_run_the_rest_the_browser_and_the_benchmarks_apart():
    assert _names(_lanes(COLLECTION, 3)) == [
        ["test_fuzz.py::test_every_operation[a]", "test_backup.py::test_restore"],
        [
            "test_browser.py::test_district_staff",
            "test_printing.py::test_print",
            "test_browser.py::test_city",
            "test_two_nodes.py::test_nodes",
            "test_settings.py::test_a_missing_key",
            "smoke[intake.py]",
        ],
        ["smoke[load.py]", "smoke[reports.py]"],
    ]


def test_two_workers_keep_the_browsers_lane_in_the_rests_in_collection_order():
    assert _names(_lanes(COLLECTION, 2)) == [
        [
            "test_fuzz.py::test_every_operation[a]",
            "test_browser.py::test_district_staff",
            "test_backup.py::test_restore",
            "test_printing.py::test_print",
            "test_browser.py::test_city",
            "test_two_nodes.py::test_nodes",
            "test_settings.py::test_a_missing_key",
            "smoke[intake.py]",
        ],
        ["smoke[load.py]", "smoke[reports.py]"],
    ]


def test_one_worker_runs_everything_and_no_lane_is_empty():
    assert _lanes(COLLECTION, 1) == [list(range(len(COLLECTION)))]
    only_bench = [nodeid for nodeid in COLLECTION if nodeid.startswith("tests/bench/")]
    assert _lanes(only_bench, 3) == [[1], [0, 2]]  # the intake's smoke run in the browser's lane
    for workers in (1, 2, 3, 4):
        dealt = sorted(i for lane in _lanes(COLLECTION, workers) for i in lane)
        assert dealt == list(range(len(COLLECTION))), workers
