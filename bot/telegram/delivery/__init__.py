"""Getting each update answered once and each reply out, whatever Telegram or the host does.

The protocol every update follows (each step names the module that does it):

1. Kept (``inbox``): the update is committed to the store's inbox before Telegram is told it
   arrived (the next ``getUpdates`` offset, or the webhook's ``200``). From then on a crash
   loses nothing: the next start handles what is left in the inbox first.
2. Ordered (``processor``): one chat's updates run one after another, chats side by side. An
   update beyond a flooding chat's backlog is dropped: claimed and finished unanswered, the
   chat told once per flood. Polling pauses while too many updates wait (``inbox``).
3. Claimed (``dispatch``): before any handler the update id is claimed in the store. Already
   finished, or in flight in this process: not handled again. The bot stopping and the update
   not started: left in the inbox. The store unreachable: handled anyway (availability over
   de-duplication).
4. Handled: the handler groups run. The chat's state is queued on the store's writer; the
   update's analytics are held (``bot.telegram.store_states.Recorder``). A handler may stop
   later groups (``ApplicationHandlerStop``); none claims or finishes anything.
5. Sent (``sending``, ``limiter``, ``requests``): every send is paced within Telegram's limits;
   only a 429 (after ``retry_after``), a 5xx and a refused connection are repeated; any other
   failure is final, logged once, and never holds up the chat; a group that muted the bot is
   not tried again for a while.
6. Finished (``dispatch``): after the handlers, whatever they did (returned, stopped later
   groups, failed and were apologised for), the held analytics and the finish are committed in
   one awaited transaction, and the update leaves the inbox.

At a stop (``lifecycle``) nothing new is fetched, updates not started stay in the inbox, and a
send that would still have to wait before the reply's first message went out gives up
(``limiter.StopSending``): its update stays unfinished in the inbox. Everything else finishes,
and the process exits 0.

What that gives: every update is answered, and only a reply Telegram accepted in the last
instant before a kill (before its finish was committed) is sent a second time; analytics count
each update once. The chat's state is queued rather than part of the finish, so a kill can
lose the last change of a chat's context, never a reply.
"""
