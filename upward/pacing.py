"""A receiver's calls a minute, shared by every sender process (接口调用频率).

The receivers count calls in a sliding minute per appid and refuse the excess with `-5`. Each sender process
counting for itself would let two workers make twice the receiver's limit, be refused, and wait out a backoff of
minutes with the records due now. So every call (a write or a poll) first takes a slot in one sliding window per
receiver, kept in Redis (a sorted set of call times, trimmed and counted by one script, on Redis's clock); a
sender without a free slot waits for the oldest to leave the window, within its round's time. Without Redis
(`make run` on its defaults: one process) the window is kept in the process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque

import redis
from django.conf import settings

# A second longer than the receiver's minute: it counts a call when it arrives, we when we take its place.
WINDOW_SECONDS = 61

# Returns 0 when a slot was taken, else the milliseconds until the oldest call leaves the window.
_TAKE = """
local key, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window * 1000)
if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, tonumber(oldest[2]) + window * 1000 - now)
end
redis.call('ZADD', key, now, ARGV[3])
redis.call('PEXPIRE', key, window * 1000 + 1000)
return 0
"""

_local = threading.local()
_windows: dict[int, deque[float]] = {}
_windows_lock = threading.Lock()


def _script():
    if getattr(_local, "script", None) is None:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        _local.script = client.register_script(_TAKE)
    return _local.script


def _take_here(receiver_id: int, limit: int) -> float:
    now = time.monotonic()
    with _windows_lock:
        window = _windows.setdefault(receiver_id, deque())
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= limit:
            return window[0] + WINDOW_SECONDS - now
        window.append(now)
        return 0.0


def call_slot_take(*, receiver_id: int, limit: int, deadline: float) -> bool:
    """Takes a slot for one call to the receiver, waiting until `deadline` (time.monotonic()) at most: False when
    the receiver's minute stays full until then (the caller leaves the rest for its next round)."""
    while True:
        if settings.REDIS_URL:
            wait = int(_script()(keys=[f"upward:calls:{receiver_id}"], args=[WINDOW_SECONDS, limit, uuid.uuid4().hex]))
            wait_s = wait / 1000
        else:
            wait_s = _take_here(receiver_id, limit)
        if wait_s <= 0:
            return True
        if time.monotonic() + wait_s > deadline:
            return False
        time.sleep(wait_s)
