"""Ralph's LRS API (`ralph.api:app`) on its file-system backend, started by tests/lrs.py with the Python of
.venv-lrs (this file never runs in the app's virtualenv).

Ralph 5.1's file-system LRS backend writes its one statements file with the CREATE operation, so its
second write fails ("already exists and overwrite is not allowed"): here it appends, as an LRS must.
Everything else (authentication, xAPI validation, duplicate and conflict rules, queries) is Ralph's own.
`ralph runserver` cannot take this setting and runs uvicorn with a reloader watching its working folder,
so the app is served directly. Settings come from the environment (RALPH_...), as for `ralph runserver`.
"""

import sys

import uvicorn
from ralph.api import app
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
