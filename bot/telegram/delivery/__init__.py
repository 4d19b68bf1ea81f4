"""Getting each update answered once, and each reply out, whatever Telegram or the host does.

``inbox`` keeps updates in the store until they are finished; ``processor`` runs chats side by
side and contains floods; ``limiter`` keeps within Telegram's flood limits and repeats only
calls that certainly did not arrive (``requests`` tells those apart); ``sending`` is the one
failure policy every send uses; ``lifecycle`` starts and stops it all.
"""
