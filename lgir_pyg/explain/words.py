r"""The words a user's text shares with an item's text."""
import re
from typing import List


def _words(text: str) -> List[str]:
    return re.findall(r'[^\W_]+', text.lower())


def _normal(word: str) -> str:
    # A plural "s" does not make another word ("nurses", "nurse").
    if len(word) > 3 and word.endswith('s') and not word.endswith('ss'):
        return word[:-1]
    return word


def matching_words(text: str, item_text: str) -> List[str]:
    r"""Returns the words of :obj:`text` that also occur in
    :obj:`item_text`, each once, in their order in :obj:`text`. Words are
    compared lower-cased and without a plural *s*; stop words
    (scikit-learn's English list) and one-character words are left out.

    Args:
        text (str): A user's text, e.g. the completed resume.
        item_text (str): The item's text.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    item_words = {_normal(w) for w in _words(item_text)}
    out: List[str] = []
    for word in _words(text):
        if (len(word) > 1 and word not in ENGLISH_STOP_WORDS
                and _normal(word) in item_words and word not in out):
            out.append(word)
    return out
