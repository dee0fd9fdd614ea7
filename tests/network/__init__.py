"""Tests reach nothing beyond this machine: loopback (127.0.0.0/8, ::1) and Unix sockets only.

`guard.py` refuses and records any other connection (and any DNS lookup, which would leave
first); `plugin.py` keeps it on for the whole run, in child processes too, and fails the test
that tried.
"""
