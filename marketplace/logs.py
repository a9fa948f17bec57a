"""One JSON object per log line, so that a log collector reads fields, not prose."""

import json
import logging

# The attributes every LogRecord has; anything else was passed in `extra=` and becomes a field.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # default=str: Django passes the request and the response as extras.
        return json.dumps(entry, default=str)
