"""People: members' accounts, how they sign in, and what the team lets each one do.

accounts.py     an account per invited member: its password (Argon2id) and roles
sessions.py     a signed-in browser: a random token in a cookie, kept hashed, with expiry
csrf.py         the tokens every form of the signed-in pages carries
invitations.py  the one-time link the team hands a member to choose a password
passkeys.py     WebAuthn keys beside the password: registering one, signing in with it
indieauth.py    signing in at another place with one's home account: the protocol's pure rules
visitors.py     the session of a member of another place, vouched for by their home node
"""
