"""``penmark serve``: a local web page and an HTTP API around the detector (extra ``[serve]``).

>>> from penmark.serve import ServeConfig, create_app
>>> app = create_app(ServeConfig(max_pages=10))      # then: uvicorn.run(app)

Importing this package needs FastAPI; the rest of penmark never imports it.
"""

from penmark.serve.app import create_app
from penmark.serve.config import ServeConfig

__all__ = ["ServeConfig", "create_app"]
