"""What the client programs share: one line per case on stdout, and the exit status.

    ok CASE detail       passed
    fail CASE why        failed (an error, a wrong result, a deny without the fix in the client's words)
    miss CASE why        a violation the policy let through
    known CASE why       a documented incompatibility of the client with the engine: not a pass
"""
import sys

failed = False


class Miss(Exception):
    """A violation that the policy let through."""


class Known(Exception):
    """A documented incompatibility of this client with this engine."""


def case(name, fn):
    """Run fn(), print its line; every failure is reported, none stops the others."""
    global failed
    try:
        print("ok", name, fn())
    except Known as e:
        print("known", name, one_line(e))
    except Miss as e:
        failed = True
        print("miss", name, one_line(e))
    except Exception as e:
        failed = True
        print("fail", name, one_line("%s: %s" % (type(e).__name__, e)))
    sys.stdout.flush()


def one_line(text):
    return str(text).replace("\n", " ")[:600]


def fail_usage(why):
    global failed
    failed = True
    print("fail usage", why)


def finish():
    sys.exit(1 if failed else 0)
