"""The accounts feature's public face: staff users, their sign-in and second factors, and who a request's
token belongs to. The use cases live in `users.py` and `sign_in.py`; other features import them from here."""

from .sign_in import Attempt as Attempt
from .sign_in import account_events as account_events
from .sign_in import confirm_totp as confirm_totp
from .sign_in import give_factor as give_factor
from .sign_in import give_passkey as give_passkey
from .sign_in import locked_accounts as locked_accounts
from .sign_in import my_sessions as my_sessions
from .sign_in import passkey_challenge as passkey_challenge
from .sign_in import passkey_registration as passkey_registration
from .sign_in import record_refusal as record_refusal
from .sign_in import register_passkey as register_passkey
from .sign_in import reset_factors as reset_factors
from .sign_in import revoke_my_session as revoke_my_session
from .sign_in import sign_in as sign_in
from .sign_in import start_totp as start_totp
from .sign_in import token_state as token_state
from .sign_in import unlock as unlock
from .users import actor_for_token as actor_for_token
from .users import actor_for_username as actor_for_username
from .users import create_user as create_user
from .users import has_users as has_users
from .users import list_users as list_users
from .users import sign_out as sign_out
from .users import user_named as user_named
from .users import usernames as usernames
