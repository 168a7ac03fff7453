"""The default notifier: writes each notice to the log.

Replace it with a webhook, message-queue or email client; the outbox and the relay stay
as they are. Receivers get each notice at least once, with a stable id to deduplicate on.
"""

from __future__ import annotations

import logging

from {{ cookiecutter.package_name }}.domain.notice import Notice
from {{ cookiecutter.package_name }}.domain.ports.notifier import Notifier

log = logging.getLogger("notices")


class LoggingNotifier(Notifier):
    async def notify(self, notice: Notice) -> None:
        log.info("%s %s %s", notice.kind, notice.id, dict(notice.payload))
