"""Policy Q&A: the fallback for any text no other router took.

``KnowledgeService.ask`` is blocking and CPU-bound (encoding, faiss, BM25), so it runs in a dedicated,
bounded thread pool owned by the app — never on the event loop and never in the default executor.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from bot.dispatch import Context, Reply, Router
from bot.dispatch import filters as flt
from handlers import texts
from knowledge.results import QAResult

if TYPE_CHECKING:
    from embeddings.encoder import Encoder
    from knowledge.service import KnowledgeService


class Answerer(Protocol):
    """Answers policy questions (the app's view of the knowledge service)."""

    @property
    def ready(self) -> bool:
        """True once the model and index are loaded."""
        ...

    def describe(self) -> dict[str, object]:
        """Model, passage count, index version (for ``/healthz``)."""
        ...

    async def ask(self, question: str) -> QAResult: ...


class KnowledgeAnswerer:
    """:class:`Answerer` over a blocking ``KnowledgeService``, run in ``executor``."""

    def __init__(self, service: KnowledgeService, executor: ThreadPoolExecutor) -> None:
        self._service = service
        self._executor = executor

    @property
    def encoder(self) -> Encoder:
        """The service's loaded model (the console's reindexer shares it; no second copy is loaded)."""
        return self._service.encoder

    @property
    def ready(self) -> bool:
        """Whether the service has its model and index."""
        return bool(self._service.ready)

    def describe(self) -> dict[str, object]:
        """The service's own description."""
        return dict(self._service.describe())

    async def ask(self, question: str) -> QAResult:
        """Answer ``question`` in the Q&A thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._service.ask, question)


def make_router(answerer: Answerer) -> Router:
    """The Q&A fallback router (last but one in precedence)."""
    router = Router("policy_qa")

    @router.on(flt.HasText(), pending=texts.PENDING_QA)
    async def ask(ctx: Context) -> Reply:
        result = await answerer.ask(ctx.text)
        return Reply(result.answer)

    return router
