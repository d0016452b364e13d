/**
 * What Jinjava needs to render chat templates written for Python's jinja2 the way transformers does: Python string
 * methods, Python value printing and {@code tojson}, filtered loops, comment whitespace control, the
 * {@code raise_exception}/{@code strftime_now} globals, and a check that refuses unknown filters and tests.
 */
package io.subliminal.engine.tokenizer.jinja;
