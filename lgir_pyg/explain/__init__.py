r"""Why an item is recommended: the exact decomposition of a score into the
contributions of the user's inputs, the words the user's text shares with
the item's, and their text and picture."""
from lgir_pyg.explain.decomposition import Contribution, Explanation, explain
from lgir_pyg.explain.report import format_explanations, plot_explanations
from lgir_pyg.explain.words import matching_words

__all__ = [
    'explain',
    'Explanation',
    'Contribution',
    'matching_words',
    'format_explanations',
    'plot_explanations',
]
