"""Map classes are exactly mapclassify's (computed without it); NaN is class 0; k shrinks instead of failing;
French legend labels."""
import warnings

import mapclassify  # the reference, in the tests only: the app computes the same breaks with numpy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.classes import METHOD_LABELS, classify
from tests.imports_probe import modules_after

MAPCLASSIFY = {"quantiles": mapclassify.Quantiles, "jenks": mapclassify.FisherJenks,
               "egaux": mapclassify.EqualInterval}


def _mapclassify(method, y, k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MAPCLASSIFY[method](y, k=k)


@pytest.mark.parametrize("method", ["quantiles", "jenks", "egaux"])
@pytest.mark.parametrize("k", [3, 4, 5, 7])
def test_breaks_and_classes_are_mapclassify_s(method, k):
    rng = np.random.default_rng(20080 + k)
    y = rng.uniform(0.23, 0.68, 101)  # one rate per département
    result = classify(y, method, k)
    expected = _mapclassify(method, y, k)
    np.testing.assert_array_equal(result.bins, expected.bins)
    np.testing.assert_array_equal(result.classes, np.asarray(expected.yb) + 1)
    np.testing.assert_array_equal(result.counts, expected.counts)
    assert result.k == k and result.method == method
    assert result.lower[0] == y.min()
    np.testing.assert_array_equal(result.lower[1:], result.bins[:-1])


def _assert_same_as_mapclassify(values, method, k):
    """classify(values) against mapclassify on the same finite values, with the k the app asks for
    (k, or fewer when there are fewer distinct values)."""
    y = np.asarray(values, dtype=float)
    finite = np.isfinite(y)
    observed = y[finite]
    result = classify(values, method, k)
    k_asked = min(k, len(np.unique(observed)))
    if k_asked < 2:  # no classifier runs: one class up to the maximum, or none
        assert result.k == k_asked
        np.testing.assert_array_equal(result.bins, observed.max(keepdims=True) if k_asked else [])
        return
    expected = _mapclassify(method, observed, k_asked)
    np.testing.assert_array_equal(result.bins, np.asarray(expected.bins, dtype=float))  # to the last bit
    np.testing.assert_array_equal(result.classes[finite], np.asarray(expected.yb) + 1)
    np.testing.assert_array_equal(result.classes[~finite], 0)
    np.testing.assert_array_equal(result.counts, expected.counts)
    assert result.k == len(expected.bins)


PROPERTIES = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow])
METHODS = st.sampled_from(["quantiles", "jenks", "egaux"])
CLASS_COUNTS = st.integers(min_value=2, max_value=9)
# rates as counts over a denominator (what the maps classify), many ties among few values, any float in
# 0–1, wider and negative values; NaN here and there
RATES = st.builds(lambda k, n: k / n, st.integers(0, 5000), st.integers(1, 5000)).filter(lambda r: r <= 1)
FEW_VALUES = st.sampled_from([0.0, 0.1, 0.25, 0.25 + 1e-12, 0.3, 0.5, 0.7, 1.0])
ANY_RATE = st.floats(min_value=0, max_value=1, allow_subnormal=False)
WIDE = st.floats(min_value=-1e6, max_value=1e6, allow_subnormal=False)
VALUES = st.lists(st.one_of(RATES, FEW_VALUES, ANY_RATE, WIDE, st.just(float("nan"))), min_size=0, max_size=40)


@PROPERTIES
@given(values=VALUES, method=METHODS, k=CLASS_COUNTS)
def test_breaks_and_classes_are_mapclassify_s_on_any_values(values, method, k):
    _assert_same_as_mapclassify(values, method, k)


@PROPERTIES
@given(values=st.lists(FEW_VALUES, min_size=1, max_size=60), method=METHODS, k=CLASS_COUNTS)
def test_breaks_and_classes_are_mapclassify_s_with_many_ties(values, method, k):
    _assert_same_as_mapclassify(values, method, k)


@pytest.mark.parametrize("method", ["quantiles", "jenks", "egaux"])
@pytest.mark.parametrize("n", [2, 3, 18, 101, 300])
def test_breaks_and_classes_are_mapclassify_s_from_regions_to_establishments(method, n):
    rng = np.random.default_rng(n)
    spread = rng.uniform(0.2, 0.9, n)
    for values in (spread, np.round(spread, 2), np.round(spread, 1)):  # fewer and fewer distinct rates
        for k in (2, 4, 5, 7):
            _assert_same_as_mapclassify(values, method, k)


def test_fisher_jenks_by_hand_on_three_groups():
    y = [0.90, 0.10, 0.52, 0.11, 0.50, 0.12]
    result = classify(y, "jenks", 3)
    np.testing.assert_array_equal(result.bins, [0.12, 0.52, 0.90])  # bounds are values
    assert result.classes.tolist() == [3, 1, 2, 1, 2, 1]


def test_fisher_jenks_on_equal_costs_starts_the_last_class_as_early_as_possible():
    # {0} {1, 2} and {0, 1} {2} both leave 0.5 of squared deviations: mapclassify keeps the first
    result = classify([0.0, 1.0, 2.0], "jenks", 2)
    np.testing.assert_array_equal(result.bins, [0.0, 2.0])
    assert result.classes.tolist() == [1, 2, 2]


def test_fisher_jenks_breaks_exact_ties_in_single_precision_as_mapclassify_does():
    # {0.6} {0.7, 0.7, 0.8} and {0.6, 0.7, 0.7} {0.8} leave the same squared deviations (1/150) in exact
    # arithmetic; mapclassify's float32 sums make the second one smaller, and so do ours
    result = classify([0.6, 0.7, 0.7, 0.8], "jenks", 2)
    np.testing.assert_array_equal(result.bins, [0.7, 0.8])
    assert result.classes.tolist() == [1, 1, 1, 2]


def test_breaks_are_mapclassify_s_on_many_short_lists_of_rounded_rates():
    # short lists of rates rounded to 1–3 decimals: where costs tie in exact arithmetic, and where the
    # float32 rounding of mapclassify's Fisher-Jenks decides
    rng = np.random.default_rng(3)
    for _ in range(300):
        n = int(rng.integers(3, 9))
        values = np.round(rng.uniform(0, 1, n), int(rng.integers(1, 4)))
        for method in ("quantiles", "jenks", "egaux"):
            _assert_same_as_mapclassify(values, method, int(rng.integers(2, 5)))


def test_quantiles_that_coincide_make_fewer_classes():
    y = [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.3, 0.4]
    result = classify(y, "quantiles", 4)
    # positions 7·q: 25 % -> 1.75 and 50 % -> 3.5 both fall among the 0.1; 75 % -> 5.25: 0.2 + 0.25·0.1
    assert result.k == 3
    np.testing.assert_allclose(result.bins, [0.1, 0.225, 0.4])
    assert result.classes.tolist() == [1, 1, 1, 1, 1, 2, 3, 3] and result.counts.tolist() == [5, 1, 2]


def test_equal_intervals_by_hand():
    result = classify([0.2, 0.3, 0.35, 0.6], "egaux", 4)  # width (0.6 - 0.2) / 4 = 0.1
    np.testing.assert_allclose(result.bins, [0.3, 0.4, 0.5, 0.6])
    assert result.classes.tolist() == [1, 1, 2, 4] and result.counts.tolist() == [2, 1, 0, 1]


def test_classifying_imports_neither_mapclassify_nor_scipy_nor_scikit_learn():
    # mapclassify would bring scipy.stats and scikit-learn, ≈ 95 MB in each worker
    loaded = modules_after("from analytics.classes import classify\n"
                           "for m in ('quantiles', 'jenks', 'egaux'): classify([0.1, 0.2, 0.4, 0.8, 0.9], m, 3)")
    assert "analytics.classes" in loaded
    assert {"mapclassify", "scipy", "sklearn"} & {n.split(".")[0] for n in loaded} == set()


def test_quantiles_by_hand_on_eight_values():
    y = [0.10, 0.20, 0.20, 0.30, 0.45, 0.50, 0.60, 0.90]
    result = classify(y, "quantiles", 4)
    # numpy's linear percentiles, position (n - 1)·q = 7·q:
    # 25 %: 1.75 -> 0.20 + 0.75·(0.20 - 0.20) = 0.20
    # 50 %: 3.5  -> 0.30 + 0.5·(0.45 - 0.30)  = 0.375
    # 75 %: 5.25 -> 0.50 + 0.25·(0.60 - 0.50) = 0.525
    # 100 %: 0.90
    np.testing.assert_allclose(result.bins, [0.20, 0.375, 0.525, 0.90])
    np.testing.assert_allclose(result.lower, [0.10, 0.20, 0.375, 0.525])
    # a value equal to an upper bound stays in the lower class: 0.20 -> class 1
    assert result.classes.tolist() == [1, 1, 1, 2, 3, 3, 4, 4]
    assert result.counts.tolist() == [3, 1, 2, 2]


def test_missing_values_are_class_0_and_left_out_of_the_breaks():
    y = [0.10, None, 0.20, 0.20, 0.30, float("nan"), 0.45, 0.50, 0.60, 0.90]
    result = classify(y, "quantiles", 4)
    assert result.classes.tolist() == [1, 0, 1, 1, 2, 0, 3, 3, 4, 4]
    np.testing.assert_allclose(result.bins, [0.20, 0.375, 0.525, 0.90])  # as without the NaN
    assert result.n_missing == 2 and result.counts.sum() == 8


@pytest.mark.parametrize("method", ["quantiles", "jenks", "egaux"])
def test_k_shrinks_to_the_number_of_distinct_values_without_warning(method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two = classify([0.2, 0.2, 0.5], method, 4)
        one = classify([0.3, 0.3, np.nan], method, 4)
        none = classify([np.nan, np.nan], method, 4)
        empty = classify([], method, 4)
    assert two.k == 2 and two.classes.tolist() == [1, 1, 2] and two.counts.tolist() == [2, 1]
    np.testing.assert_array_equal(two.bins, _mapclassify(method, np.array([0.2, 0.2, 0.5]), 2).bins)
    assert one.k == 1 and one.classes.tolist() == [1, 1, 0] and one.bins.tolist() == [0.3]
    assert none.k == 0 and none.classes.tolist() == [0, 0] and none.legend_labels() == []
    assert empty.k == 0 and len(empty.classes) == 0


def test_unknown_method_or_k_below_one_is_refused():
    with pytest.raises(ValueError):
        classify([0.1, 0.2], "kmeans", 4)
    with pytest.raises(ValueError):
        classify([0.1, 0.2], "quantiles", 0)


def test_method_labels_are_french():
    assert METHOD_LABELS == {"quantiles": "effectifs égaux (quantiles)",
                             "jenks": "seuils naturels (Fisher-Jenks)",
                             "egaux": "intervalles égaux"}
    assert classify([0.1, 0.2, 0.3], "egaux", 3).method_label == "intervalles égaux"


def test_legend_labels_whole_percentages_when_the_spread_is_10_points_or_more():
    # The 2008 regional PTG rates of DOMAIN (34 % to 68 %), 4 classes of equal counts
    y = [0.34, 0.45, 0.50, 0.51, 0.57, 0.58, 0.64, 0.65, 0.68]
    result = classify(y, "quantiles", 4)
    # positions 8·q: 25 % -> y[2] = 0.50; 50 % -> y[4] = 0.57; 75 % -> y[6] = 0.64; 100 % -> 0.68
    np.testing.assert_allclose(result.bins, [0.50, 0.57, 0.64, 0.68])
    assert result.legend_labels(noun="régions") == [
        "34\u00a0% – 50\u00a0% (3\u00a0régions)",
        "50\u00a0% – 57\u00a0% (2\u00a0régions)",
        "57\u00a0% – 64\u00a0% (2\u00a0régions)",
        "64\u00a0% – 68\u00a0% (2\u00a0régions)",
    ]
    assert result.legend_labels()[0] == "34\u00a0% – 50\u00a0%"
    assert result.legend_labels(noun="")[0] == "34\u00a0% – 50\u00a0% (3)"


def test_legend_labels_one_decimal_when_the_spread_is_under_10_points():
    y = [0.440, 0.452, 0.453, 0.458, 0.480]  # spread 4 points
    result = classify(y, "egaux", 2)
    # equal intervals of (0.48 - 0.44) / 2 = 0.02: upper bounds 0.46 and 0.48
    assert result.legend_labels(noun=("département", "départements")) == [
        "44,0\u00a0% – 46,0\u00a0% (4\u00a0départements)",
        "46,0\u00a0% – 48,0\u00a0% (1\u00a0département)",
    ]


def test_legend_labels_take_a_custom_formatter():
    result = classify([0.1, 0.5], "egaux", 2)
    assert result.legend_labels(fmt=lambda v: f"{v:.2f}") == ["0.10 – 0.30", "0.30 – 0.50"]
