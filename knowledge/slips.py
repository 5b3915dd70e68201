"""Typing and voice slips: a word typed as a homophone ("工姿" for 工资, "表线" for 表现, "村线在" for 现在)
is read as the known word it sounds like.

Pinyin input methods and voice input put a character that sounds like the right one in its place, and
the dictionary then cuts the question there into single characters or rare words. A run of such pieces
(two to four characters, on the cut's boundaries) that is no word the index or the lexicon knows, and
that differs from exactly one known word in exactly one character sounding the same (its usual reading
against the word's reading, tones ignored), is taken for that word. Where the question cuts into words
it is left alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

from pypinyin import Style, pinyin

_CJK_RE = re.compile(r"^[\u4e00-\u9fff]+$")
_CJK_WORD_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_MASK = "?"
_MIN_CHARS, _MAX_CHARS = 2, 4
# Characters a question uses on their own all the time: typed as themselves, never a slip ("建了几个" is
# not 减了, "是有多少" not 十有).
_FUNCTION_CHARS = frozenset("的了是有在个不没和与也都就还又吗呢吧啊呀嘛咧哦么给把被让对从向到这那哪啥谁几多少")


@functools.lru_cache(maxsize=8192)
def reading(char: str) -> str:
    """The usual toneless pinyin reading of one character (a slip is typed by its usual sound)."""
    return pinyin(char, style=Style.NORMAL)[0][0]


@functools.lru_cache(maxsize=65536)
def word_reading(word: str) -> tuple[str, ...]:
    """The toneless pinyin of each character of ``word``, read as a word (多音字 as the word has it)."""
    return tuple(p[0] for p in pinyin(word, style=Style.NORMAL))


class SlipReader:
    """Reads the homophone slips of a question as the known words they stand for."""

    def __init__(
        self,
        words: Iterable[str],
        seen: Iterable[str],
        is_word: Callable[[str], bool],
        frequent: Iterable[str] = (),
    ) -> None:
        """``words``: the words a slip may stand for; ``seen``: pieces the documents use (never slips);
        ``is_word``: is a string a dictionary word? ``frequent``: words the documents use often, which a slip
        may stand for too ("知部" → 支部, "当员" → 党员)."""
        self._known = frozenset(w for w in (*words, *frequent) if _CJK_WORD_RE.match(w))
        self._seen = frozenset(w for w in seen if _CJK_WORD_RE.match(w)) | self._known
        self._is_word = is_word
        # Each known word under each of its characters masked: a window finds the words one character
        # away from it with one lookup per position.
        masked: dict[str, set[str]] = {}
        for word in self._known:
            for i in range(len(word)):
                masked.setdefault(word[:i] + _MASK + word[i + 1 :], set()).add(word)
        self._masked = {key: tuple(sorted(words)) for key, words in masked.items()}

    def _stands_for(self, window: str, slipped: int | None = None) -> str | None:
        """The one known word ``window`` is a slip of, if it is one (``slipped``: the slip is among the
        window's first so many characters)."""
        if window in self._seen or self._is_word(window):
            return None
        found = {
            word
            for i in range(len(window) if slipped is None else slipped)
            for word in self._masked.get(window[:i] + _MASK + window[i + 1 :], ())
            if word[i] != window[i]
            # A common character is typed as itself, unless it would cut a longer known word short.
            and (window[i] not in _FUNCTION_CHARS or slipped is not None)
            and word_reading(word)[i] == reading(window[i])
        }
        return found.pop() if len(found) == 1 else None

    def read(self, question: str, pieces: Sequence[str]) -> str:
        """``question`` with each slip replaced by the word it stands for (unchanged when none).

        ``pieces``: the question cut by the dictionary alone (no guessing of new words), in order; a slip
        is looked for only in runs of pieces that are single characters or rare words.
        """
        out: list[str] = []
        weak: list[str] = []  # the current run of single-character or rare pieces

        def flush() -> None:
            out.append(self._read_run(weak))
            weak.clear()

        for piece in pieces:
            if _CJK_RE.match(piece) and (len(piece) == 1 or not self._is_word(piece)):
                weak.append(piece)
                continue
            # A word, punctuation, digits or Latin: the run ends here. The dictionary may have cut the slip
            # off the word it ends ("尖到|班组" for 尖刀班|组): the run's end and the word's start are read
            # together, the slip in the run.
            into = self._read_into(weak, piece) if weak and _CJK_RE.match(piece) else None
            if into is not None:
                out.append(into)
                weak.clear()
                continue
            flush()
            out.append(piece)
        flush()
        read = "".join(out)
        return read if len(read) == len(question) else question

    def _read_into(self, run: list[str], word: str) -> str | None:
        """The run and the word after it, when a slip at the run's end is a known word of three or four
        characters going on into that word; None when there is none."""
        tail = "".join(run)
        for n in range(min(len(tail), _MAX_CHARS - 1), 0, -1):
            for k in range(1, len(word)):
                window = tail[-n:] + word[:k]
                if not _MIN_CHARS < len(window) <= _MAX_CHARS:
                    continue
                found = self._stands_for(window, slipped=n)
                if found is not None:
                    return self._read_run(list(tail[:-n])) + found + word[k:]
        return None

    def _read_run(self, run: list[str]) -> str:
        """A run of weak pieces with its slips replaced, the longest slip first."""
        pieces = list(run)
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i, -1):
                window = "".join(pieces[i:j])
                if not _MIN_CHARS <= len(window) <= _MAX_CHARS:
                    continue
                word = self._stands_for(window)
                if word is not None:
                    pieces[i:j] = [word]
                    break
            i += 1
        return "".join(pieces)
