"""WSGI entry point: `gunicorn app:server`. Development: `python app.py`."""
from config import get_settings
from factory import create_app

app = create_app(get_settings())
server = app.server

if __name__ == "__main__":
    import os

    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=get_settings().debug)
