"""A real SMTP server for the tests: Debian's aiosmtpd, optionally with STARTTLS and AUTH.

The `python3 -m aiosmtpd` command line can do neither, so this starts its Controller directly.
Mail goes to a Maildir; each stored message gets two headers saying how it arrived, so a test
can tell that TLS and AUTH really happened:
  X-Test-TLS: yes | no           (was the session encrypted with STARTTLS when DATA came)
  X-Test-Auth: <login> | none    (who logged in)
The password is read from the SMTP_TEST_PASSWORD environment variable, not the command line.
Prints "ready" once the server answers.
"""

import argparse
import os
import ssl
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


class RecordingMailbox(Mailbox):
    def prepare_message(self, session, envelope):
        message = super().prepare_message(session, envelope)
        message["X-Test-TLS"] = "yes" if session.ssl is not None else "no"
        message["X-Test-Auth"] = session.auth_data if session.authenticated else "none"
        return message


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        accepted = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # handled=False on a refusal: aiosmtpd then answers 535 itself.
        return AuthResult(success=accepted, handled=accepted, auth_data=user if accepted else None)

    return check


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", help="server certificate (PEM); turns on STARTTLS, required before MAIL")
    parser.add_argument("--key", help="its private key (PEM)")
    parser.add_argument("--user", help="turns on AUTH (LOGIN/PLAIN), required before MAIL")
    args = parser.parse_args()

    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options.update(tls_context=context, require_starttls=True)
    if args.user:
        options.update(
            authenticator=authenticator(args.user, os.environ.get("SMTP_TEST_PASSWORD", "")),
            auth_required=True,
            # AUTH is offered only after STARTTLS when TLS is on, as a real submission server does.
            auth_require_tls=bool(args.cert),
        )

    controller = Controller(RecordingMailbox(args.maildir), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
