"""Prometheus text-format metrics, written by hand (a few counters and one histogram)."""

from __future__ import annotations

import bisect
from collections import Counter

LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 4.0, 5.0, 10.0)


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Histogram:
    """A cumulative-bucket histogram (seconds)."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0
        self.n = 0

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.n += 1

    def render(self, name: str) -> list[str]:
        """Exposition lines for this histogram."""
        lines: list[str] = []
        acc = 0
        for bound, count in zip(self.buckets, self.counts, strict=False):
            acc += count
            lines.append(f'{name}_bucket{{le="{bound}"}} {acc}')
        lines.append(f'{name}_bucket{{le="+Inf"}} {self.n}')
        lines.append(f"{name}_sum {self.total:.6f}")
        lines.append(f"{name}_count {self.n}")
        return lines


class Metrics:
    """The gateway's counters. Plain attributes: one process, one event loop."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()  # by message type (or "verify", "invalid")
        self.responses: Counter[str] = Counter()  # by HTTP status
        self.latency = Histogram()
        self.late_replies = 0
        self.late_sent = 0
        self.dedup_hits = 0
        self.handler_errors = 0
        self.api_errors: Counter[str] = Counter()  # by errcode (or "http"/"network")

    def render(self, *, extra_handler_errors: int = 0) -> str:
        """The Prometheus text exposition (format 0.0.4)."""
        out: list[str] = []

        def counter(name: str, help_text: str, values: dict[str, int] | None, label: str = "") -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} counter")
            for key, value in sorted((values or {}).items()):
                out.append(f'{name}{{{label}="{_esc(key)}"}} {value}')

        def single(name: str, help_text: str, value: int) -> None:
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} counter")
            out.append(f"{name} {value}")

        counter("dj_wechat_requests_total", "Callback requests by message type.", dict(self.requests), "type")
        counter(
            "dj_wechat_responses_total", "Callback responses by HTTP status.", dict(self.responses), "status"
        )
        out.append("# HELP dj_wechat_reply_seconds Time to answer a callback request.")
        out.append("# TYPE dj_wechat_reply_seconds histogram")
        out.extend(self.latency.render("dj_wechat_reply_seconds"))
        single("dj_wechat_late_replies_total", "Answers that missed the passive deadline.", self.late_replies)
        single("dj_wechat_late_sent_total", "Late answers sent via the customer-service API.", self.late_sent)
        single("dj_wechat_dedup_hits_total", "Retried deliveries joined to earlier work.", self.dedup_hits)
        single(
            "dj_wechat_handler_errors_total",
            "Handlers that raised (user got an apology).",
            self.handler_errors + extra_handler_errors,
        )
        counter(
            "dj_wechat_api_errors_total",
            "Outbound WeChat API errors by errcode.",
            dict(self.api_errors),
            "code",
        )
        return "\n".join(out) + "\n"
