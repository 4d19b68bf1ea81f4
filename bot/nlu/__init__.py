"""Understanding user messages: normalisation, language id, role matching, intent classification.

The public entry points are :func:`bot.nlu.engine.build_engine` and :class:`bot.nlu.engine.Engine`;
everything below them is plain functions and small classes so that the CLI, the Telegram handlers
and the benchmarks share one code path.
"""
