"""Alert messages and delivery, against real receivers on 127.0.0.1 (aiosmtpd, an HTTP server)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from receivers import (  # noqa: F401  (fixtures are used by name)
    MAIL_TO,
    SMTP_PASSWORD,
    SmtpReceiver,
    WebhookReceiver,
    smtp_receiver,
    webhook_receiver,
)

from wirewatch import alerts
from wirewatch.alerts import Message
from wirewatch.config import AlertsConfig, TopicConfig
from wirewatch.model import AlertRoute, DeliveryResult, PendingAlert, StorySummary

SENT = dt.datetime(2026, 5, 5, 12, 0, 7, tzinfo=dt.timezone.utc)  # when a test's channel accepts a message


def sent_clock() -> dt.datetime:
    return SENT

WJ = alerts.WORD_JOINER
HOOK_PATH_SECRET = "B0HOOKs3cretPATH"
HOOK_TOKEN = "tok3n-XYZZY-0042"
EVIL_HEADLINE = "<script>alert(1)</script> @channel <!channel> <@U123> [x](http://evil)"

BASE = PendingAlert(
    alert_id="a1",
    topic="missile-defense",
    story_id="s1",
    article_id="art1",
    channel_key="0" * 16,
    channel="json://127.0.0.1/****",
    attempts=0,
    headline="No progress at Russia-US missile defense negotiations",
    url="https://tass.com/world/1",
    source="tass-en",
    dateline_place="CHEBARKUL",
    dateline_date=dt.date(2011, 9, 27),
    agency="TASS",
    terms=("ABM", "missile defense"),
    snippet="There is no progress at the Russia-U.S. «missile defense» negotiations.",
    story_sources=4,
    story_articles=5,
)


def make_alert(n: int = 1, channel: str | None = None, **changes: object) -> PendingAlert:
    """BASE with its own alert id, keyed to the ``channel`` URL when given."""
    if channel is not None:
        changes |= {"channel_key": alerts.channel_key(channel), "channel": alerts.redact(channel)}
    return dataclasses.replace(BASE, alert_id=f"a{n}", article_id=f"art{n}", **changes)


def secret_hook(receiver: WebhookReceiver) -> str:
    return receiver.url(f"/hooks/{HOOK_PATH_SECRET}", query=f"-token={HOOK_TOKEN}")


def assert_nowhere(secrets: tuple[str, ...], caplog, capsys, *texts: str | None) -> None:
    captured = capsys.readouterr()
    haystacks = [caplog.text, captured.out, captured.err, *(t or "" for t in texts)]
    haystacks += [r.getMessage() for r in caplog.records]
    for secret in secrets:
        assert [h for h in haystacks if secret in h] == []


# --- channel URLs ----------------------------------------------------------------------------


def test_expand_channel_substitutes_environment_variables():
    env = {"WIREWATCH_SLACK_URL": "slack://T000/B000/XXXX", "PORT": "2525"}
    assert alerts.expand_channel("${WIREWATCH_SLACK_URL}", env) == "slack://T000/B000/XXXX"
    assert alerts.expand_channel("mailto://h:${PORT}", env) == "mailto://h:2525"
    assert alerts.expand_channel("json://host/plain", env) == "json://host/plain"


@pytest.mark.parametrize("env", [{}, {"WIREWATCH_SLACK_URL": ""}], ids=["missing", "empty"])
def test_expand_channel_names_a_missing_variable_and_no_value(env):
    with pytest.raises(alerts.ChannelError) as e:
        alerts.expand_channel("${WIREWATCH_SLACK_URL}/${OTHER}", {**env, "OTHER": "v4lue"})
    assert str(e.value) == (
        "channel uses ${WIREWATCH_SLACK_URL}, which is not set in the environment"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("slack://T000/B000/XXXX", "slack://****/****/****"),
        ("tgram://123456789:AAHbottoken/987654", "tgram://****/****"),
        ("discord://1234567890/webhooktoken", "discord://****/****"),
        (
            "mailtos://user:pa55word@smtp.example.com?to=desk@example.org",
            "mailtos://user:****@smtp.example.com?to=desk@example.org",
        ),
        ("mailto://smtp.example.com/a@example.org", "mailto://smtp.example.com/a@example.org"),
        (
            "json://127.0.0.1:8080/hooks/abc123?-token=s3cr3t&method=POST",
            "json://127.0.0.1:8080/****/****?-token=****&method=POST",
        ),
        ("jsons://hooks.example.com/x?token=s3cr3t", "jsons://hooks.example.com/****?token=****"),
        (
            "https://hooks.slack.com/services/T000/B000/XXXX",
            "https://hooks.slack.com/****/****/****/****",
        ),
        ("pover://userkey@apptoken", "pover://****@****"),
        ("ntfy://ntfy.sh/private-topic", "ntfy://ntfy.sh/****"),
        ("no scheme at all", "****"),
    ],
)
def test_redact_keeps_scheme_and_host_and_masks_secrets(url, shown):
    assert alerts.redact(url) == shown


def test_channel_key_is_a_stable_16_hex_digest_of_the_url():
    key = alerts.channel_key("slack://T000/B000/XXXX")
    assert key == "acf8f50157c6564c"
    assert alerts.channel_key(" slack://T000/B000/XXXX\n") == key
    assert alerts.channel_key("slack://T000/B000/YYYY") != key


def test_routes_for_uses_topic_channels_or_the_default_and_keeps_urls_in_memory():
    env = {"WIREWATCH_SLACK_URL": "slack://T000/B000/XXXX"}
    default = "json://127.0.0.1:9/hook?-token=abc"
    topics = [
        TopicConfig(name="own", query="x", channels=("${WIREWATCH_SLACK_URL}",)),
        TopicConfig(name="default", query="y", realert_on_update=True),
        TopicConfig(name="silent", query="z", channels=()),
        TopicConfig(name="off", query="w", channels=("${UNSET}",), enabled=False),
    ]
    routes, urls = alerts.routes_for(topics, AlertsConfig(channels=(default,)), env)
    slack_key, json_key = alerts.channel_key(env["WIREWATCH_SLACK_URL"]), alerts.channel_key(default)
    assert routes == {
        "own": AlertRoute(channels=((slack_key, "slack://****/****/****"),)),
        "default": AlertRoute(
            channels=((json_key, "json://127.0.0.1:9/****?-token=****"),), realert_on_update=True
        ),
        "silent": AlertRoute(channels=()),
    }
    assert urls == {slack_key: env["WIREWATCH_SLACK_URL"], json_key: default}


def test_routes_for_names_the_topic_and_variable_of_a_missing_secret():
    topics = [TopicConfig(name="arms", query="x", channels=("json://h/x", "${WIREWATCH_HOOK}"))]
    with pytest.raises(alerts.ChannelError) as e:
        alerts.routes_for(topics, AlertsConfig(), {})
    assert str(e.value) == (
        "topic 'arms': channels[1]: channel uses ${WIREWATCH_HOOK}, "
        "which is not set in the environment"
    )


# --- formatting ------------------------------------------------------------------------------


def test_format_message_carries_the_evidence_in_plain_text():
    message = alerts.format_message(BASE)
    assert message.title == (
        "[wirewatch] missile-defense: No progress at Russia-US missile defense negotiations"
    )
    assert message.text == "\n".join(
        [
            "Topic: missile-defense",
            "Headline: No progress at Russia-US missile defense negotiations",
            "Dateline: CHEBARKUL · 2011-09-27 · TASS (source: tass-en)",
            "Matched: ABM, missile defense",
            "Snippet: There is no progress at the Russia-U.S. «missile defense» negotiations.",
            "Link: https://tass.com/world/1",
            "Also reported by 3 other outlets (5 articles in the story).",
            "alert_id: a1 (at-least-once delivery: a repeat carries the same id)",
        ]
    )


def test_format_message_markdown_bolds_the_hits_and_links_the_article():
    assert alerts.format_message(BASE).markdown == "\n\n".join(
        [
            "**Topic:** missile-defense",
            "**No progress at Russia-US missile defense negotiations**",
            "CHEBARKUL · 2011-09-27 · TASS (source: tass-en)",
            "**Matched:** ABM, missile defense",
            "> There is no progress at the Russia-U.S. **missile defense** negotiations.",
            "[Read the article](<https://tass.com/world/1>)",
            "Also reported by 3 other outlets (5 articles in the story).",
            "alert\\_id: `a1`",
        ]
    )


def test_format_message_for_a_first_report_without_dateline_or_link():
    alert = make_alert(
        url=None,
        dateline_place=None,
        dateline_date=None,
        agency=None,
        story_sources=1,
        story_articles=1,
    )
    message = alerts.format_message(alert)
    lines = message.text.splitlines()
    assert lines[2] == "Dateline: (none) (source: tass-en)"
    assert lines[5] == "Link: (none)"
    assert lines[6] == "First outlet to report this story (1 article)."
    assert "Read the article" not in message.markdown


def test_article_text_cannot_inject_mentions_links_or_markup():
    message = alerts.format_message(make_alert(headline=EVIL_HEADLINE))
    assert message.text.splitlines()[1] == (
        f"Headline: <script>alert(1)</script> @{WJ}channel <!channel> <@{WJ}U123> [x](http://evil)"
    )
    assert message.markdown.split("\n\n")[1] == (
        rf"**\<script\>alert(1)\</script\> @{WJ}channel \<!channel\> \<@{WJ}U123\> "
        r"\[x\](http://evil)**"
    )
    html = MarkdownIt("commonmark").render(message.markdown)
    assert ("<script>" in html, "<a " in html, "@channel" in html) == (False, True, False)
    assert html.count("<a ") == 1  # only our own "Read the article" link


def test_a_non_http_article_link_is_not_made_clickable():
    message = alerts.format_message(make_alert(url="javascript:alert(1)"))
    assert "](" not in message.markdown
    assert message.text.splitlines()[5] == "Link: javascript:alert(1)"


def test_email_addresses_in_article_text_are_left_alone():
    assert alerts.escape_text("write to press@tass.ru or @here") == f"write to press@tass.ru or @{WJ}here"


@given(st.text())
def test_escaped_markdown_renders_as_exactly_the_plain_text(text):
    # Whatever the article says, a CommonMark renderer shows it literally: no emphasis, links,
    # HTML, headings, lists or code.
    rendered = MarkdownIt("commonmark").render(alerts.escape_markdown(text))
    plain = alerts.escape_text(text)
    assert rendered == (f"<p>{escapeHtml(plain)}</p>\n" if plain else "")


def test_format_digest_lists_every_alert_with_its_id():
    due = [make_alert(n, topic="arms" if n % 2 else "missile-defense") for n in range(1, 8)]
    digest = alerts.format_digest(due)
    assert digest.title == "[wirewatch] 7 alerts: arms (4), missile-defense (3)"
    assert digest.text.splitlines()[0] == "7 alerts due at once, sent as one digest."
    assert digest.text.splitlines()[2:6] == [
        "1. [arms] No progress at Russia-US missile defense negotiations",
        "   CHEBARKUL · 2011-09-27 · TASS; matched: ABM, missile defense; 4 outlets",
        "   https://tass.com/world/1",
        "   alert_id: a1",
    ]
    assert [f"alert_id: a{n}" in digest.text for n in range(1, 8)] == [True] * 7
    assert [f"`a{n}`" in digest.markdown for n in range(1, 8)] == [True] * 7


def test_format_daily_digest_counts_matches_and_ranks_stories_by_sources():
    rows = [
        StorySummary("s1", "Small story", None, sources=1, articles=1),
        StorySummary(
            "s2", "Big story", "https://tass.com/2", 5, 9, "MOSCOW", dt.date(2011, 9, 27), "TASS"
        ),
        StorySummary("s3", "Middle story", "https://apnews.com/3", sources=2, articles=3),
    ]
    digest = alerts.format_daily_digest("arms", rows, day=dt.date(2011, 9, 28))
    assert digest.title == "[wirewatch] arms daily digest 2011-09-28: 13 matches in 3 stories"
    assert digest.text.splitlines() == [
        "Topic arms 2011-09-28: 13 matches in 3 stories.",
        "",
        "1. Big story (MOSCOW · 2011-09-27 · TASS; 5 outlets, 9 articles)",
        "   https://tass.com/2",
        "2. Middle story (no dateline; 2 outlets, 3 articles)",
        "   https://apnews.com/3",
        "3. Small story (no dateline; 1 outlet, 1 article)",
    ]
    assert digest.markdown.splitlines()[2] == (
        "1. **Big story** · MOSCOW · 2011-09-27 · TASS · 5 outlets, 9 articles · "
        "[link](<https://tass.com/2>)"
    )


def test_format_daily_digest_of_a_quiet_day():
    digest = alerts.format_daily_digest("arms", [])
    assert (digest.title, digest.text) == (
        "[wirewatch] arms daily digest: 0 matches in 0 stories",
        "Topic arms: 0 matches in 0 stories.\n\nNo matches.",
    )


# --- delivery over real receivers ------------------------------------------------------------


def test_email_alert_arrives_with_headline_dateline_and_snippet(smtp_receiver, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    url = smtp_receiver.url()
    results = alerts.deliver([make_alert(channel=url)], {alerts.channel_key(url): url}, clock=sent_clock)
    assert results == [DeliveryResult("a1", True, None, SENT)]
    [mail] = smtp_receiver.messages
    assert (mail["To"], mail.get_content_type()) == (MAIL_TO, "text/plain")
    assert mail["Subject"] == alerts.format_message(BASE).title
    body = mail.get_content()
    assert "Headline: No progress at Russia-US missile defense negotiations" in body
    assert "Dateline: CHEBARKUL · 2011-09-27 · TASS (source: tass-en)" in body
    assert "Snippet: There is no progress at the Russia-U.S. «missile defense» negotiations." in body
    assert "alert_id: a1" in body
    assert smtp_receiver.logins == [("wirewatch", SMTP_PASSWORD)]
    assert_nowhere((SMTP_PASSWORD,), caplog, capsys, *(r.error for r in results))


def test_email_headline_with_script_and_mention_arrives_inert(smtp_receiver):
    url = smtp_receiver.url(extra="&format=html")  # the HTML body is where <script> would bite
    alert = make_alert(channel=url, headline=EVIL_HEADLINE)
    assert alerts.deliver([alert], {alert.channel_key: url}, clock=sent_clock) == [DeliveryResult("a1", True, sent_at=SENT)]
    [mail] = smtp_receiver.messages
    html = mail.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert ("<script>" in html, "@channel" in html, f"@{WJ}channel" in html) == (False, False, True)


def test_webhook_gets_markdown_and_an_injected_headline_arrives_inert(webhook_receiver):
    url = webhook_receiver.url()
    alert = make_alert(channel=url, headline=EVIL_HEADLINE)
    assert alerts.deliver([alert], {alert.channel_key: url}, clock=sent_clock) == [DeliveryResult("a1", True, sent_at=SENT)]
    [request] = webhook_receiver.requests
    title = f"[wirewatch] missile-defense: {alerts.escape_text(EVIL_HEADLINE)}"
    assert request.payload["title"] == title
    message = request.payload["message"]
    assert message == alerts.format_message(alert).markdown
    html = MarkdownIt("commonmark").render(message)
    assert ("<script>" in html, "@channel" in html, 'href="http://evil"' in html) == (
        False,
        False,
        False,
    )


def test_a_burst_of_20_alerts_for_one_channel_becomes_one_digest(webhook_receiver):
    busy, quiet = webhook_receiver.url("/busy"), webhook_receiver.url("/quiet")
    due = [make_alert(n, channel=busy) for n in range(1, 21)]
    due += [make_alert(n, channel=quiet) for n in (21, 22)]
    urls = {alerts.channel_key(busy): busy, alerts.channel_key(quiet): quiet}
    results = alerts.deliver(due, urls, clock=sent_clock)
    assert results == [DeliveryResult(f"a{n}", True, sent_at=SENT) for n in range(1, 23)]
    assert [r.path for r in webhook_receiver.requests] == ["/busy", "/quiet", "/quiet"]
    digest = webhook_receiver.payloads[0]
    assert digest["title"] == "[wirewatch] 20 alerts: missile-defense (20)"
    assert [f"`a{n}`" in digest["message"] for n in range(1, 21)] == [True] * 20


@pytest.mark.parametrize(("count", "requests"), [(5, 5), (6, 1)])
def test_digest_starts_above_the_threshold(webhook_receiver, count, requests):
    url = webhook_receiver.url()
    due = [make_alert(n, channel=url) for n in range(count)]
    assert all(r.ok for r in alerts.deliver(due, {alerts.channel_key(url): url}))
    assert len(webhook_receiver.requests) == requests


def test_http_500_fails_every_alert_with_a_redacted_error(webhook_receiver, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    webhook_receiver.default_status = 500
    url = secret_hook(webhook_receiver)
    due = [make_alert(1, channel=url), make_alert(2, channel=url)]
    results = alerts.deliver(due, {alerts.channel_key(url): url})
    error = (
        f"json://127.0.0.1:{webhook_receiver.port}/****/****?-token=****: "
        "Failed to send JSON POST notification: Internal server error., error=500."
    )
    assert results == [DeliveryResult("a1", False, error), DeliveryResult("a2", False, error)]
    assert [r.query for r in webhook_receiver.requests] == [{"token": [HOOK_TOKEN]}] * 2
    assert "error=500" in caplog.text  # apprise's own lines still reach the log, masked
    assert_nowhere((HOOK_PATH_SECRET, HOOK_TOKEN), caplog, capsys, error)

    webhook_receiver.default_status = 200  # the next run's retry goes through
    retry = alerts.deliver(due[:1], {alerts.channel_key(url): url}, clock=sent_clock)
    assert retry == [DeliveryResult("a1", True, sent_at=SENT)]


def test_an_unreachable_channel_fails_with_one_redacted_line(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    receiver = WebhookReceiver()  # bound, never started, then closed: nobody listens
    url = secret_hook(receiver)
    receiver.stop()
    [result] = alerts.deliver([make_alert(channel=url)], {alerts.channel_key(url): url})
    assert (result.ok, result.error) == (
        False,
        f"json://127.0.0.1:{receiver.port}/****/****?-token=****: "
        "A Connection error occurred sending JSON notification to 127.0.0.1.; "
        f"Socket Exception: HTTPConnectionPool(host='127.0.0.1', port={receiver.port}): "
        "Max retries exceeded with url: /****/****?token=**** (Caused by NewConnectionError("
        f"\"HTTPConnection(host='127.0.0.1', port={receiver.port}): Failed to establish a new "
        'connection: [Errno 111] Connection refused"))',
    )
    assert_nowhere((HOOK_PATH_SECRET, HOOK_TOKEN), caplog, capsys, result.error)


def test_an_alert_for_a_channel_no_longer_configured_fails():
    alert = make_alert(channel="json://127.0.0.1:9/gone")
    assert alerts.deliver([alert], {}) == [
        DeliveryResult("a1", False, "json://127.0.0.1:9/****: channel no longer configured")
    ]


def test_a_url_apprise_cannot_use_fails_without_showing_it(caplog, capsys):
    caplog.set_level(logging.DEBUG)
    url = "nosuchservice://s3cretT0KEN@example.com/path"
    [result] = alerts.deliver([make_alert(channel=url)], {alerts.channel_key(url): url})
    assert result.ok is False
    assert result.error is not None
    assert result.error.startswith("nosuchservice://****@example.com/****: not a usable apprise URL")
    assert_nowhere(("s3cretT0KEN",), caplog, capsys, result.error)


def test_delivery_leaves_third_party_logging_as_it_found_it(webhook_receiver):
    apprise_logger = logging.getLogger("apprise")
    before = (apprise_logger.handlers[:], apprise_logger.propagate, apprise_logger.level)
    url = webhook_receiver.url()
    alerts.deliver([make_alert(channel=url)], {alerts.channel_key(url): url})
    after = (apprise_logger.handlers[:], apprise_logger.propagate, apprise_logger.level)
    assert after == before


def test_send_test_delivers_a_sample_alert(smtp_receiver):
    assert alerts.send_test(smtp_receiver.url()) == DeliveryResult("test", True)
    [mail] = smtp_receiver.messages
    assert "Headline: Test alert: this channel receives wirewatch alerts" in mail.get_content()


def test_send_message_delivers_a_daily_digest(webhook_receiver):
    digest = alerts.format_daily_digest("arms", [StorySummary("s1", "Big story", None, 2, 3)])
    result = alerts.send_message(digest, webhook_receiver.url(), ref="digest:arms")
    assert result == DeliveryResult("digest:arms", True)
    assert webhook_receiver.payloads[0]["message"] == digest.markdown


def test_plain_text_channels_get_the_text_body(webhook_receiver):
    url = webhook_receiver.url(query="format=text")
    message = Message(title="t", text="plain body", markdown="**markdown body**")
    assert alerts.send_message(message, url) == DeliveryResult("", True)
    assert webhook_receiver.payloads[0]["message"] == "plain body"
