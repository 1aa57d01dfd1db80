"""Extension objects, without an app: modules import them from here, never from the app module."""

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .security import client_address

# Named constraints so that Alembic migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
# Storage, switch and limits come from the config (RATELIMIT_*, *_RATE_LIMIT): see config.py.
limiter = Limiter(key_func=client_address)


def personal_link_limit():
    """The rate limit of pages opened by a secret link (/r/, /i/): guessing is not a sport."""
    return limiter.limit(lambda: current_app.config["PERSONAL_LINK_RATE_LIMIT"])


login_manager = LoginManager()
